// Django REST Framework error bodies, parsed once: `{"detail": "..."}` or `{"field": ["message"]}`.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** A message for the whole request (`detail`, `non_field_errors`, or a generic one). */
    readonly detail: string | undefined,
    /** Messages per request field. */
    readonly fields: Readonly<Record<string, string[]>>,
  ) {
    super(detail || Object.values(fields).flat().join(' ') || `Request failed (${status})`);
  }

  /** The messages for one field, or undefined. */
  field(name: string): string | undefined {
    const messages = this.fields[name];
    return messages && messages.length > 0 ? messages.join(' ') : undefined;
  }

  /** Everything that is not about one of `shown`: the form shows it above its buttons. */
  rest(shown: readonly string[]): string | undefined {
    const others = Object.entries(this.fields)
      .filter(([name]) => !shown.includes(name))
      .map(([name, messages]) => (name === 'non_field_errors' ? '' : `${name}: `) + messages.join(' '));
    const parts = [this.detail, ...others].filter((p): p is string => Boolean(p));
    return parts.length > 0 ? parts.join(' ') : undefined;
  }
}

function messages(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(messages);
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(messages);
  return value === undefined || value === null ? [] : [String(value)];
}

/** Builds an ApiError from a status and whatever body openapi-fetch parsed (JSON or text). */
export function toApiError(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const { detail, ...rest } = body as Record<string, unknown>;
    const fields: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(rest)) fields[name] = messages(value);
    const text = typeof detail === 'string' ? detail : undefined;
    return new ApiError(status, text ?? (Object.keys(fields).length ? undefined : fallback(status)), fields);
  }
  if (Array.isArray(body)) return new ApiError(status, messages(body).join(' '), {});
  return new ApiError(status, fallback(status), {});
}

function fallback(status: number): string {
  if (status === 0) return 'The server could not be reached.';
  if (status === 403) return 'You do not have permission to do that.';
  if (status === 404) return 'Not found.';
  if (status >= 500) return `The server failed (${status}); try again.`;
  return `The request failed (${status}).`;
}
