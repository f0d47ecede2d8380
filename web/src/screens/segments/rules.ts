// A segment's rule tree as the builder edits it, every operator the engine knows with its help
// text and the check of its value, and the conversion to and from the API's rules. Conditions
// are named by their API path ("rules[0].rules[1].conditions[2]"), so the API's field errors and
// ours land on the same field. A condition on another flag's state is, for the API, an EQUAL on
// the property `$.flags['<feature>'].enabled` with the value true or false.
import type { Rule } from '../../api/segments';
import type { Schemas } from '../../api/client';

export type RuleType = 'ALL' | 'ANY' | 'NONE';

export interface ConditionDraft {
  key: number;
  property: string;
  operator: Schemas['Operator'];
  /** Without the `:semver` suffix; `semver` says whether it is added. */
  value: string;
  semver: boolean;
  description: string | null;
  /** Set when the condition tests another flag's state: that feature's name ('' until chosen);
   * `value` is then 'true' (on) or 'false' (off). */
  flag: string | null;
}

export interface RuleDraft {
  key: number;
  type: RuleType;
  conditions: ConditionDraft[];
  rules: RuleDraft[];
}

/** How rules and groups may nest: the API refuses a tree more than two levels deep. */
export const MAX_DEPTH = 2;

export const RULE_TYPES: { type: RuleType; label: string }[] = [
  { type: 'ALL', label: 'All of these match (ALL)' },
  { type: 'ANY', label: 'Any of these matches (ANY)' },
  { type: 'NONE', label: 'None of these matches (NONE)' },
];

type Check = (value: string) => string | undefined;

interface OperatorInfo {
  label: string;
  help: string;
  /** False: the condition has no trait (PERCENTAGE_SPLIT hashes the identity). */
  property: boolean;
  /** False: the condition has no value (IS_SET, IS_NOT_SET). */
  value: boolean;
  /** The value may be compared as a semantic version (`1.2.3:semver`). */
  semver: boolean;
  check?: Check;
}

const number = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const semverPattern =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-((0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$/;

const required: Check = (v) => (v === '' ? 'Enter a value.' : undefined);

const comparison = (label: string, help: string, strict: boolean): OperatorInfo => ({
  label,
  help: `${help} Numbers and true/false compare as such, other text by character.`,
  property: true,
  value: true,
  semver: true,
  check: strict ? required : undefined,
});

export const OPERATORS: Record<Schemas['Operator'], OperatorInfo> = {
  EQUAL: comparison('equals', 'The trait equals the value.', false),
  NOT_EQUAL: comparison(
    'does not equal',
    'The trait is set and differs from the value.',
    false,
  ),
  GREATER_THAN: comparison('is greater than', 'The trait is greater than the value.', true),
  GREATER_THAN_INCLUSIVE: comparison(
    'is at least',
    'The trait is greater than or equal to the value.',
    true,
  ),
  LESS_THAN: comparison('is less than', 'The trait is less than the value.', true),
  LESS_THAN_INCLUSIVE: comparison(
    'is at most',
    'The trait is less than or equal to the value.',
    true,
  ),
  CONTAINS: {
    label: 'contains',
    help: 'The trait is text that contains the value.',
    property: true,
    value: true,
    semver: false,
    check: required,
  },
  NOT_CONTAINS: {
    label: 'does not contain',
    help: 'The trait is text that does not contain the value.',
    property: true,
    value: true,
    semver: false,
    check: required,
  },
  REGEX: {
    label: 'matches regex',
    help: 'The trait matches the regular expression from its start, e.g. ^[a-z]+@example\\.com$.',
    property: true,
    value: true,
    semver: false,
    check: (v) => {
      if (v === '') return 'Enter a regular expression.';
      try {
        new RegExp(v);
        return undefined;
      } catch {
        return 'This is not a valid regular expression.';
      }
    },
  },
  IN: {
    label: 'is one of',
    help: 'The trait is one of a comma-separated list, e.g. uk,fr,de. Members are matched exactly, spaces included.',
    property: true,
    value: true,
    semver: false,
    check: (v) => {
      if (v.trim() === '') return 'Enter a comma-separated list, e.g. uk,fr.';
      const members = v.split(',');
      if (members.some((m) => m === '')) return 'A comma-separated list has no empty members (check for ,, or a trailing comma).';
      if (members.some((m) => m !== m.trim())) return 'Remove the spaces around the commas: members are matched exactly.';
      return undefined;
    },
  },
  IS_SET: {
    label: 'is set',
    help: 'The identity has this trait, whatever its value.',
    property: true,
    value: false,
    semver: false,
  },
  IS_NOT_SET: {
    label: 'is not set',
    help: 'The identity does not have this trait.',
    property: true,
    value: false,
    semver: false,
  },
  MODULO: {
    label: 'modulo',
    help: 'A number trait divided by the divisor leaves the remainder: divisor|remainder, e.g. 2|0 for even numbers.',
    property: true,
    value: true,
    semver: false,
    check: (v) => {
      const parts = v.split('|');
      if (parts.length !== 2 || !parts.every((p) => number.test(p))) {
        return 'Enter two numbers as divisor|remainder, e.g. 2|0.';
      }
      if (Number(parts[0]) === 0) return 'The divisor cannot be 0.';
      return undefined;
    },
  },
  PERCENTAGE_SPLIT: {
    label: 'percentage split',
    help: 'A stable share of identities, from 0 to 100 percent, chosen by hashing the identity with the segment.',
    property: false,
    value: true,
    semver: false,
    check: (v) => {
      if (!number.test(v)) return 'Enter a percentage from 0 to 100.';
      const p = Number(v);
      return p >= 0 && p <= 100 ? undefined : 'Enter a percentage from 0 to 100.';
    },
  },
};

const SEMVER = ':semver';
let nextKey = 1;
const key = () => (nextKey += 1);

export const newCondition = (): ConditionDraft => ({
  key: key(),
  property: '',
  operator: 'EQUAL',
  value: '',
  semver: false,
  description: null,
  flag: null,
});

/** The JSONPath that reads whether feature `name` is on, quoted so any name fits. */
export const flagProperty = (name: string) => `$.flags['${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'].enabled`;

const flagPath = /^\$\.flags(?:\.([A-Za-z_][A-Za-z0-9_]*)|\['((?:[^'\\]|\\.)*)'\])\.enabled$/;

/** The feature a `$.flags…enabled` property reads, or null for any other property. */
export function flagOf(property: string): string | null {
  const match = flagPath.exec(property);
  if (!match) return null;
  return match[1] ?? match[2].replace(/\\(.)/g, '$1');
}

export const newRule = (type: RuleType, withCondition = true): RuleDraft => ({
  key: key(),
  type,
  conditions: withCondition ? [newCondition()] : [],
  rules: [],
});

/** The builder's tree for a segment's rules (a new segment starts with one ALL group). */
export function fromApi(rules: Rule[] | undefined): RuleDraft[] {
  if (!rules || rules.length === 0) return [newRule('ALL')];
  const rule = (r: Rule): RuleDraft => ({
    key: key(),
    type: (['ALL', 'ANY', 'NONE'].includes(r.type) ? r.type : 'ALL') as RuleType,
    rules: 'rules' in r ? r.rules.map(rule) : [],
    conditions: r.conditions.map((c) => {
      const value = c.value ?? '';
      const semver = Boolean(OPERATORS[c.operator]?.semver) && value.endsWith(SEMVER);
      const flag = flagOf(c.property ?? '');
      const onOff = c.operator === 'EQUAL' && (value === 'true' || value === 'false');
      return {
        key: key(),
        property: c.property ?? '',
        operator: c.operator,
        value: semver ? value.slice(0, -SEMVER.length) : value,
        semver,
        description: c.description ?? null,
        flag: flag !== null && onOff ? flag : null,
      };
    }),
  });
  return rules.map(rule);
}

/** The rules as the API takes them. */
export function toApi(rules: RuleDraft[]): Schemas['RuleIn'][] {
  return rules.map((r) => ({
    type: r.type,
    rules: toApi(r.rules),
    conditions: r.conditions.map((c) => {
      if (c.flag !== null) {
        return { operator: 'EQUAL', property: flagProperty(c.flag), value: c.value, description: c.description };
      }
      const info = OPERATORS[c.operator];
      return {
        operator: c.operator,
        property: info?.property === false ? null : c.property,
        value: info?.value === false ? null : c.semver && info?.semver ? `${c.value}${SEMVER}` : c.value,
        description: c.description,
      };
    }),
  }));
}

/** Calls `visit` with every condition and its API path, in the order the API numbers them. */
export function eachCondition(
  rules: RuleDraft[],
  visit: (c: ConditionDraft, path: string) => void,
  path = 'rules',
): void {
  rules.forEach((r, i) => {
    r.conditions.forEach((c, k) => visit(c, `${path}[${i}].conditions[${k}]`));
    eachCondition(r.rules, visit, `${path}[${i}].rules`);
  });
}

/** Our own check of every condition: messages by field path, as the API names them. */
export function problems(rules: RuleDraft[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  eachCondition(rules, (c, path) => {
    if (c.flag !== null) {
      if (c.flag === '') out[`${path}.property`] = ['Choose the flag to test.'];
      return;
    }
    const info = OPERATORS[c.operator];
    if (!info) return;
    if (info.property && c.property.trim() === '') out[`${path}.property`] = ['Enter the trait to test.'];
    if (!info.value) return;
    let message: string | undefined;
    if (c.semver && info.semver) {
      message = semverPattern.test(c.value) ? undefined : 'Enter a semantic version such as 1.2.3 or 2.0.0-beta.1.';
    } else {
      message = info.check?.(c.value);
    }
    if (message) out[`${path}.value`] = [message];
  });
  return out;
}

/** Every field path the builder shows, so the form does not repeat their errors at the top. */
export function fieldPaths(rules: RuleDraft[]): string[] {
  const out: string[] = [];
  eachCondition(rules, (_, path) => out.push(`${path}.property`, `${path}.operator`, `${path}.value`));
  return out;
}

/** The number of conditions in a tree (for the list). */
export function countConditions(rules: Rule[]): number {
  return rules.reduce((n, r) => n + r.conditions.length + countConditions('rules' in r ? r.rules : []), 0);
}
