// Copying a key or a snippet: the clipboard when the browser allows it, otherwise the text is
// selected so Ctrl+C (or the context menu) copies it. Either way a live region says what happened.
import { useRef, useState } from 'preact/hooks';
import { CopyIcon } from './icons-keys';

function selectText(element: Element): void {
  const selection = window.getSelection();
  if (!selection) return;
  selection.removeAllRanges();
  const range = document.createRange();
  range.selectNodeContents(element);
  selection.addRange(range);
}

/** Copies `text`; resolves to true when it reached the clipboard, false when it was only selected. */
export async function copyText(text: string, fallback: Element | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (fallback) selectText(fallback);
    return false;
  }
}

/** A button copying `text`; `target` is the element holding it (selected when copying fails). */
export function CopyButton({ text, label, target }: { text: string; label: string; target: () => Element | null }) {
  const [status, setStatus] = useState('');
  const timer = useRef<number>();
  const onClick = async () => {
    const copied = await copyText(text, target());
    setStatus(copied ? 'Copied' : 'Selected: press Ctrl+C to copy');
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setStatus(''), 4000);
  };
  return (
    <span class="copy">
      <button type="button" class="button small" onClick={() => void onClick()}>
        <CopyIcon />
        Copy<span class="visually-hidden"> {label}</span>
      </button>
      <span class="copy-status" role="status">
        {status}
      </span>
    </span>
  );
}

/** A secret or key in monospace with its copy button. */
export function CopyableCode({ text, label }: { text: string; label: string }) {
  const ref = useRef<HTMLElement>(null);
  return (
    <span class="copyable">
      <code ref={ref} class="value">
        {text}
      </code>
      <CopyButton text={text} label={label} target={() => ref.current} />
    </span>
  );
}
