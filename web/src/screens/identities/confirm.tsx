// A delete asks first: a dialog saying what goes, with an explicit button, or (for whole things
// like an identity) the name typed before the button works. A failure shows in the dialog.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Dialog } from '../../components/dialog';
import { Field, FormError } from '../../components/field';
import { useSubmit } from '../../components/form';

function ConfirmForm({
  typed,
  action,
  onConfirm,
  onClose,
  children,
}: {
  typed?: string;
  action: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const [text, setText] = useState('');
  const { busy, error, onSubmit } = useSubmit(async () => {
    await onConfirm();
    onClose();
  });
  const ready = typed === undefined || text === typed;
  return (
    <form onSubmit={onSubmit} noValidate>
      {children}
      {typed !== undefined && (
        <Field
          label={`Type ${typed} to confirm`}
          name="confirm"
          idPrefix="confirm"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          autoComplete="off"
          spellcheck={false}
        />
      )}
      <FormError error={error} fields={[]} />
      <div class="actions">
        <button type="button" class="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" class="button danger" disabled={busy || !ready}>
          {busy ? 'Deleting…' : action}
        </button>
      </div>
    </form>
  );
}

export function ConfirmDialog({
  open,
  title,
  action,
  typed,
  onConfirm,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  /** The button's words, e.g. "Delete trait". */
  action: string;
  /** When given, the text to type before the button works. */
  typed?: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  children: ComponentChildren;
}) {
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <ConfirmForm typed={typed} action={action} onConfirm={onConfirm} onClose={onClose}>
        {children}
      </ConfirmForm>
    </Dialog>
  );
}
