// Submitting a form: its values as an object, a busy flag, and the API's error for Field/FormError.
import { useState } from 'preact/hooks';
import { ApiError, toApiError } from '../api/errors';

export function useSubmit(action: (values: Record<string, string>, form: HTMLFormElement) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy) return;
    const form = event.currentTarget as HTMLFormElement;
    const values: Record<string, string> = {};
    new FormData(form).forEach((value, name) => {
      values[name] = typeof value === 'string' ? value : '';
    });
    setBusy(true);
    setError(undefined);
    try {
      await action(values, form);
    } catch (e) {
      setError(e instanceof ApiError ? e : toApiError(0, undefined));
      // Focus the first field the API complained about, so a keyboard user lands on it.
      queueMicrotask(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, onSubmit, reset: () => setError(undefined) };
}
