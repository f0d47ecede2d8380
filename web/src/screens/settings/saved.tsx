// The "saved" line under a settings form, announced to screen readers.
export function Saved({ shown, text = 'Saved.' }: { shown: boolean; text?: string }) {
  return (
    <p class="success" role="status">
      {shown ? text : ''}
    </p>
  );
}
