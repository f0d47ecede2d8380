// A labelled input with the API's message for its field next to it. Every form shows field
// errors through this one component and FormError, never ad hoc.
import type { ComponentChildren, JSX } from 'preact';
import type { ApiError } from '../api/errors';

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'label' | 'name' | 'id'>;

export function Field({
  label,
  name,
  error,
  hint,
  idPrefix = 'f',
  ...input
}: InputProps & { label: string; name: string; error?: ApiError; hint?: string; idPrefix?: string }) {
  const id = `${idPrefix}-${name}`;
  const message = error?.field(name);
  const describedBy = [hint ? `${id}-hint` : '', message ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        aria-invalid={message ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {message && (
        <p class="field-error" id={`${id}-error`}>
          {message}
        </p>
      )}
    </div>
  );
}

/** A checkbox with its label after it. */
export function Check({
  label,
  name,
  idPrefix = 'f',
  ...input
}: InputProps & { label: string; name: string; idPrefix?: string }) {
  const id = `${idPrefix}-${name}`;
  return (
    <div class="check">
      <input id={id} name={name} type="checkbox" {...input} />
      <label for={id}>{label}</label>
    </div>
  );
}

/** What an error says beyond the fields the form shows (detail, non-field errors). */
export function FormError({ error, fields }: { error?: ApiError; fields: readonly string[] }) {
  const text = error?.rest(fields);
  if (!text) return null;
  return (
    <p class="form-error" role="alert">
      {text}
    </p>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return <p class="notice">{children}</p>;
}
