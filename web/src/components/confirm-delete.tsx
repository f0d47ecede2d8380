// Confirming a delete: typing the name for big ones (project, environment), a plain yes for small ones.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Dialog } from './dialog';
import { Field, FormError } from './field';
import { useSubmit } from './form';

export function ConfirmDeleteDialog({
  open,
  what,
  name,
  consequence,
  onDelete,
  onClose,
}: {
  open: boolean;
  /** What is deleted, in words: "project", "environment". */
  what: string;
  /** The name to type. */
  name: string;
  /** What else goes with it, one sentence. */
  consequence: string;
  onDelete: () => Promise<void>;
  onClose: () => void;
}) {
  const [typed, setTyped] = useState('');
  const { busy, error, onSubmit, reset } = useSubmit(async () => {
    if (typed !== name) return;
    await onDelete();
    setTyped('');
  });
  const close = () => {
    reset();
    setTyped('');
    onClose();
  };
  return (
    <Dialog open={open} title={`Delete ${what}`} onClose={close}>
      <form onSubmit={onSubmit} noValidate>
        <p>
          This deletes the {what} <strong>{name}</strong>. {consequence} This cannot be undone.
        </p>
        <Field
          label={`Type ${name} to confirm`}
          name="confirm"
          idPrefix="delete"
          autoComplete="off"
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
        <FormError error={error} fields={[]} />
        <div class="actions">
          <button type="button" class="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" class="button danger" disabled={busy || typed !== name}>
            {busy ? 'Deleting…' : `Delete ${what}`}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** An explicit yes/no before a smaller delete (remove a member, revoke an invite). */
export function ConfirmDialog({
  open,
  title,
  action,
  onConfirm,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  /** The confirming button's text: "Remove member". */
  action: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const { busy, error, onSubmit, reset } = useSubmit(async () => {
    await onConfirm();
  });
  const close = () => {
    reset();
    onClose();
  };
  return (
    <Dialog open={open} title={title} onClose={close}>
      <form onSubmit={onSubmit} noValidate>
        {children}
        <FormError error={error} fields={[]} />
        <div class="actions">
          <button type="button" class="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" class="button danger" disabled={busy}>
            {action}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
