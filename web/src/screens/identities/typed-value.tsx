// A value with a type the person picks (string, integer, float, boolean), checked in the browser
// and sent as that JSON type. Traits store the type (`value_type`); overrides infer it from JSON.
import { ApiError } from '../../api/errors';
import { Field } from '../../components/field';

export type ValueType = 'unicode' | 'int' | 'float' | 'bool';
export type Typed = string | number | boolean;

export const VALUE_TYPES: readonly (readonly [ValueType, string])[] = [
  ['unicode', 'String'],
  ['int', 'Integer'],
  ['float', 'Float'],
  ['bool', 'Boolean'],
];

export const typeName = (type: string) => VALUE_TYPES.find(([t]) => t === type)?.[1] ?? type;

/** The type a JSON value has (a whole number is an integer). */
export function typeOf(value: unknown): ValueType {
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'unicode';
}

export const textOf = (value: unknown) => (value === null || value === undefined ? '' : String(value));

/** The typed text as a JSON value of `type`; an ApiError on the "value" field when it is not one. */
export function parseValue(type: ValueType, text: string): Typed {
  const wrong = (message: string) => new ApiError(400, undefined, { value: [message] });
  const trimmed = text.trim();
  if (type === 'bool') {
    if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
    throw wrong('Choose true or false.');
  }
  if (type === 'int') {
    const number = Number(trimmed);
    if (!/^[-+]?\d+$/.test(trimmed) || !Number.isSafeInteger(number)) {
      throw wrong('Enter a whole number, such as 42 or -7.');
    }
    return number;
  }
  if (type === 'float') {
    const number = Number(trimmed);
    if (trimmed === '' || !Number.isFinite(number)) throw wrong('Enter a number, such as 4.5.');
    return number;
  }
  return text;
}

/** The API's error with the messages of `from` (e.g. the value's column) moved to the form's `to` field. */
export function renameField(error: unknown, from: readonly string[], to: string): unknown {
  if (!(error instanceof ApiError) || !from.some((name) => error.fields[name])) return error;
  const fields: Record<string, string[]> = {};
  for (const [name, messages] of Object.entries(error.fields)) {
    const target = from.includes(name) ? to : name;
    fields[target] = [...(fields[target] ?? []), ...messages];
  }
  return new ApiError(error.status, error.detail, fields);
}

/** The type picker and the value's field (a true/false choice for booleans). Controlled. */
export function TypedValueFields({
  idPrefix,
  type,
  text,
  onType,
  onText,
  error,
}: {
  idPrefix: string;
  type: ValueType;
  text: string;
  onType: (type: ValueType) => void;
  onText: (text: string) => void;
  error?: ApiError;
}) {
  return (
    <div class="typed-value">
      <div class="field">
        <label for={`${idPrefix}-value_type`}>Type</label>
        <select
          id={`${idPrefix}-value_type`}
          name="value_type"
          value={type}
          onChange={(e) => onType(e.currentTarget.value as ValueType)}
        >
          {VALUE_TYPES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {type === 'bool' ? (
        <div class="field">
          <label for={`${idPrefix}-value`}>Value</label>
          <select
            id={`${idPrefix}-value`}
            name="value"
            value={text === 'false' ? 'false' : 'true'}
            onChange={(e) => onText(e.currentTarget.value)}
          >
            <option value="true">true</option>
            <option value="false">false</option>
          </select>
        </div>
      ) : (
        <Field
          label="Value"
          name="value"
          idPrefix={idPrefix}
          value={text}
          onInput={(e) => onText(e.currentTarget.value)}
          inputMode={type === 'int' ? 'numeric' : type === 'float' ? 'decimal' : undefined}
          autoComplete="off"
          error={error}
        />
      )}
    </div>
  );
}
