// An explicit confirmation for revoking or deleting, on the shared Dialog: the danger button
// names the action, Cancel (and Escape) leave everything as it was, a failure shows in place.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, toApiError } from '../api/errors';
import { Dialog } from './dialog';
import { FormError } from './field';

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
  /** The danger button's text, e.g. "Revoke key". */
  action: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const close = () => {
    setError(undefined);
    onClose();
  };
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      close();
    } catch (e) {
      setError(e instanceof ApiError ? e : toApiError(0, undefined));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} title={title} onClose={close}>
      {children}
      <FormError error={error} fields={[]} />
      <div class="actions">
        <button type="button" class="button" onClick={close}>
          Cancel
        </button>
        <button type="button" class="button danger" disabled={busy} onClick={() => void confirm()}>
          {busy ? 'Working…' : action}
        </button>
      </div>
    </Dialog>
  );
}
