// Unsaved changes are never lost silently: while a form says it has some, leaving the screen in
// the app (a link, the sidebar, back or forward) asks "Leave without saving?", and closing or
// reloading the tab gets the browser's own prompt.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { setLeaveGuard } from '../router';
import { Dialog } from './dialog';

/** One entry per mounted form that uses the hook; `dirty` is read when someone leaves. */
const forms = new Set<{ dirty: boolean }>();
const hasUnsaved = () => [...forms].some((f) => f.dirty);

let held: (() => void) | null = null;
const promptListeners = new Set<() => void>();
const setHeld = (proceed: (() => void) | null) => {
  held = proceed;
  promptListeners.forEach((l) => l());
};

setLeaveGuard((proceed) => {
  if (!hasUnsaved()) return true;
  setHeld(proceed);
  return false;
});

window.addEventListener('beforeunload', (event) => {
  if (!hasUnsaved()) return;
  event.preventDefault();
  // Older browsers show the prompt only when returnValue is set.
  event.returnValue = '';
});

/** Marks the calling screen as holding unsaved changes while `dirty` is true. */
export function useUnsavedChanges(dirty: boolean): void {
  const entry = useRef({ dirty }).current;
  // Updated as the screen renders, so a click right after typing already sees it.
  entry.dirty = dirty;
  useLayoutEffect(() => {
    forms.add(entry);
    return () => {
      forms.delete(entry);
    };
  }, []);
}

/**
 * For a form whose inputs keep their own values: edited from its first input event until
 * `saved()`. `ref` goes on the <form>; `changed()` is for edits that are no input event (a
 * button that adds a row). While `active` is false (a closed dialog) it counts as unedited.
 */
export function useFormEdits(active = true) {
  const [edited, setEdited] = useState(false);
  useUnsavedChanges(active && edited);
  useEffect(() => {
    if (!active) setEdited(false);
  }, [active]);
  return useMemo(() => {
    const changed = () => setEdited(true);
    let form: HTMLFormElement | null = null;
    return {
      changed,
      saved: () => setEdited(false),
      ref: (element: HTMLFormElement | null) => {
        form?.removeEventListener('input', changed);
        form = element;
        form?.addEventListener('input', changed);
      },
    };
  }, []);
}

/** The "Leave without saving?" question, once in the layout. Stay (or Escape) keeps everything. */
export function LeavePrompt() {
  const [, rerender] = useState(0);
  useEffect(() => {
    const listener = () => rerender((n) => n + 1);
    promptListeners.add(listener);
    return () => {
      promptListeners.delete(listener);
    };
  }, []);
  const stay = () => setHeld(null);
  const leave = () => {
    const proceed = held;
    setHeld(null);
    // Goes past the guard: the navigation held, now made after all.
    proceed?.();
  };
  return (
    <Dialog open={held !== null} title="Leave without saving?" onClose={stay}>
      <p>Your changes on this screen are not saved yet. If you leave now, they are lost.</p>
      <div class="actions">
        <button type="button" class="button primary" onClick={stay}>
          Stay
        </button>
        <button type="button" class="button danger" onClick={leave}>
          Leave
        </button>
      </div>
    </Dialog>
  );
}
