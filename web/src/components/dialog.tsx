// A modal built on the native <dialog>: focus trapping, Escape and the top layer come free.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function Dialog({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  /** What the owner asks for as of its latest render; a close event is read against it. */
  const wanted = useRef(open);
  wanted.current = open;
  /** Closes made here (open turned false) whose close events have not come yet. */
  const closing = useRef(0);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) {
      closing.current += 1;
      dialog.close();
    }
  }, [open]);
  const titleId = `dialog-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={titleId}
      // The close event comes in a later task. After our own close() the owner hears of it
      // (the palette navigates then) unless it has asked for the dialog again meanwhile (Stay,
      // then another unsaved navigation): passing it on then would close the new one before it
      // shows. A close the user made (Escape) is always passed on.
      onClose={() => {
        if (closing.current > 0) {
          closing.current -= 1;
          if (wanted.current) return;
        }
        onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {open && children}
    </dialog>
  );
}
