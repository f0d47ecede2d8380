// A state's value as the person edits it: a kind (text, number, true/false, JSON) and its text.
// Parsing is here, apart from the screens, so every editor checks values the same way.

export type ValueKind = 'text' | 'number' | 'boolean' | 'json';

export const kindLabels: Record<ValueKind, string> = {
  text: 'Text',
  number: 'Number',
  boolean: 'True / false',
  json: 'JSON',
};

/** The kind a served value looks like: JSON when a text parses to an object or array. */
export function kindOf(value: unknown): ValueKind {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed !== null && typeof parsed === 'object') return 'json';
    } catch {
      // Text that merely starts with a bracket.
    }
  }
  return 'text';
}

/** The text an editor starts with for a served value. */
export function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : String(value);
}

export type Parsed = { value: string | number | boolean | null } | { error: string };

/** The value to send for what was typed, or the message to show at the field. */
export function parseValue(kind: ValueKind, text: string): Parsed {
  const trimmed = text.trim();
  switch (kind) {
    case 'text':
      return { value: text === '' ? null : text };
    case 'number': {
      if (trimmed === '') return { value: null };
      if (!/^-?\d+(\.\d+)?$/.test(trimmed)) return { error: 'Enter a number, such as 42 or -1.5.' };
      const n = Number(trimmed);
      if (Number.isInteger(n) && !Number.isSafeInteger(n)) return { error: 'This number is too large.' };
      return { value: n };
    }
    case 'boolean':
      if (trimmed !== 'true' && trimmed !== 'false') return { error: 'Choose true or false.' };
      return { value: trimmed === 'true' };
    case 'json': {
      if (trimmed === '') return { value: null };
      try {
        JSON.parse(text);
      } catch (e) {
        return { error: `This is not valid JSON: ${(e as Error).message}` };
      }
      // Sent as text, as the SDKs receive JSON values.
      return { value: text };
    }
  }
}
