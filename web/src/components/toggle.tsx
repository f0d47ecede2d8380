// The one-click enabled switch: a native button with role="switch".
export function Toggle({
  on,
  label,
  busy,
  onChange,
}: {
  on: boolean;
  label: string;
  busy?: boolean;
  onChange: (on: boolean) => void;
}) {
  return (
    <button
      type="button"
      role="switch"
      class="toggle"
      aria-checked={on}
      aria-label={label}
      aria-busy={busy || undefined}
      onClick={() => onChange(!on)}
    >
      <span class="toggle-track" aria-hidden="true">
        <span class="toggle-thumb" />
      </span>
      <span class="toggle-text" aria-hidden="true">
        {on ? 'On' : 'Off'}
      </span>
    </button>
  );
}
