// A labelled textarea and select that show the API's message for their field, as Field does
// for an input (same ids: PREFIX-NAME, PREFIX-NAME-hint, PREFIX-NAME-error).
import type { ComponentChildren, JSX } from 'preact';
import type { ApiError } from '../api/errors';

function described(id: string, hint: string | undefined, message: string | undefined) {
  return [hint ? `${id}-hint` : '', message ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

function After({ id, hint, message }: { id: string; hint?: string; message?: string }) {
  return (
    <>
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
    </>
  );
}

type Common = { label: string; name: string; error?: ApiError; hint?: string; idPrefix?: string };

export function TextArea({
  label,
  name,
  error,
  hint,
  idPrefix = 'f',
  ...rest
}: Common & Omit<JSX.TextareaHTMLAttributes<HTMLTextAreaElement>, 'label' | 'name' | 'id'>) {
  const id = `${idPrefix}-${name}`;
  const message = error?.field(name);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea
        id={id}
        name={name}
        aria-invalid={message ? 'true' : undefined}
        aria-describedby={described(id, hint, message)}
        {...rest}
      />
      <After id={id} hint={hint} message={message} />
    </div>
  );
}

export function Select({
  label,
  name,
  error,
  hint,
  idPrefix = 'f',
  children,
  ...rest
}: Common & { children: ComponentChildren } & Omit<
    JSX.SelectHTMLAttributes<HTMLSelectElement>,
    'label' | 'name' | 'id'
  >) {
  const id = `${idPrefix}-${name}`;
  const message = error?.field(name);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select
        id={id}
        name={name}
        aria-invalid={message ? 'true' : undefined}
        aria-describedby={described(id, hint, message)}
        {...rest}
      >
        {children}
      </select>
      <After id={id} hint={hint} message={message} />
    </div>
  );
}
