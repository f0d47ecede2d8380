// The rule builder: groups (ALL / ANY / NONE) of conditions and, one level down, child groups.
// A condition tests a trait, or another flag's state (on or off). Every control is a native
// input, select or button, so it all works from the keyboard; adding a condition moves focus to
// its trait, removing one moves focus back to its group.
import type { Schemas } from '../../api/client';
import type { ApiError } from '../../api/errors';
import { Check, Field } from '../../components/field';
import { PlusIcon } from '../../components/icons';
import {
  MAX_DEPTH,
  OPERATORS,
  RULE_TYPES,
  newCondition,
  newRule,
  type ConditionDraft,
  type RuleDraft,
  type RuleType,
} from './rules';

/** Changes the builder's tree; `structural` when conditions or groups were added or removed. */
type OnChange = (rules: RuleDraft[], structural: boolean) => void;

const focusSoon = (id: string) => setTimeout(() => document.getElementById(id)?.focus(), 0);

/** What a condition tests: a trait, or another flag's state. */
function SubjectSelect({
  condition,
  prefix,
  onChange,
}: {
  condition: ConditionDraft;
  prefix: string;
  onChange: (c: ConditionDraft) => void;
}) {
  const id = `${prefix}-subject`;
  return (
    <div class="field">
      <label for={id}>Test</label>
      <select
        id={id}
        value={condition.flag === null ? 'trait' : 'flag'}
        onChange={(e) =>
          onChange(
            e.currentTarget.value === 'flag'
              ? { ...condition, flag: '', operator: 'EQUAL', value: 'true', semver: false }
              : { ...newCondition(), key: condition.key },
          )
        }
      >
        <option value="trait">A trait</option>
        <option value="flag">Another flag's state</option>
      </select>
    </div>
  );
}

/** A condition on another flag: which flag, and whether it must be on or off. */
function FlagCondition({
  condition,
  path,
  prefix,
  features,
  error,
  onChange,
}: {
  condition: ConditionDraft;
  path: string;
  prefix: string;
  features: string[];
  error?: ApiError;
  onChange: (c: ConditionDraft) => void;
}) {
  const flagId = `${prefix}-${path}.property`;
  const stateId = `${prefix}-state`;
  const flagError = error?.field(`${path}.property`);
  const known = condition.flag === '' || features.includes(condition.flag ?? '');
  return (
    <>
      <div class="field">
        <label for={flagId}>Flag</label>
        <select
          id={flagId}
          name={`${path}.property`}
          value={condition.flag ?? ''}
          aria-invalid={flagError ? 'true' : undefined}
          aria-describedby={flagError ? `${flagId}-error` : undefined}
          onChange={(e) => onChange({ ...condition, flag: e.currentTarget.value })}
        >
          <option value="">Choose a flag…</option>
          {!known && <option value={condition.flag ?? ''}>{condition.flag}</option>}
          {features.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
        {flagError && (
          <p class="field-error" id={`${flagId}-error`}>
            {flagError}
          </p>
        )}
      </div>
      <div class="field">
        <label for={stateId}>State</label>
        <select
          id={stateId}
          value={condition.value}
          onChange={(e) => onChange({ ...condition, value: e.currentTarget.value })}
        >
          <option value="true">is on</option>
          <option value="false">is off</option>
        </select>
      </div>
    </>
  );
}

function ConditionRow({
  condition,
  name,
  path,
  features,
  error,
  onChange,
  onRemove,
}: {
  condition: ConditionDraft;
  name: string;
  path: string;
  features: string[];
  error?: ApiError;
  onChange: (c: ConditionDraft) => void;
  onRemove: () => void;
}) {
  const info = OPERATORS[condition.operator];
  const prefix = `c${condition.key}`;
  const operatorId = `${prefix}-operator`;
  const operatorError = error?.field(`${path}.operator`);
  if (condition.flag !== null) {
    return (
      <fieldset class="condition">
        <legend class="visually-hidden">{name}</legend>
        <div class="condition-subject">
          <SubjectSelect condition={condition} prefix={prefix} onChange={onChange} />
        </div>
        <FlagCondition
          condition={condition}
          path={path}
          prefix={prefix}
          features={features}
          error={error}
          onChange={onChange}
        />
        <button type="button" class="button quiet small condition-remove" onClick={onRemove}>
          Remove<span class="visually-hidden"> {name}</span>
        </button>
        <p class="hint condition-note">
          The flag as this identity gets it in the environment being evaluated, its own segments included.
        </p>
      </fieldset>
    );
  }
  return (
    <fieldset class="condition">
      <legend class="visually-hidden">{name}</legend>
      <div class="condition-subject">
        <SubjectSelect condition={condition} prefix={prefix} onChange={onChange} />
        {info?.property === false ? (
          <p class="condition-fixed">
            <span class="condition-fixed-label">Trait</span>
            <span class="muted">The identity (hashed with the segment)</span>
          </p>
        ) : (
          <Field
            label="Trait"
            name={`${path}.property`}
            idPrefix={prefix}
            value={condition.property}
            autoComplete="off"
            error={error}
            onInput={(e) => onChange({ ...condition, property: e.currentTarget.value })}
          />
        )}
      </div>
      <div class="field">
        <label for={operatorId}>Operator</label>
        <select
          id={operatorId}
          value={condition.operator}
          aria-invalid={operatorError ? 'true' : undefined}
          aria-describedby={operatorError ? `${operatorId}-error` : undefined}
          // The options are the keys of OPERATORS, every operator the API names.
          onChange={(e) => onChange({ ...condition, operator: e.currentTarget.value as Schemas['Operator'] })}
        >
          {!info && <option value={condition.operator}>{condition.operator}</option>}
          {Object.entries(OPERATORS).map(([op, o]) => (
            <option key={op} value={op}>
              {o.label}
            </option>
          ))}
        </select>
        {operatorError && (
          <p class="field-error" id={`${operatorId}-error`}>
            {operatorError}
          </p>
        )}
      </div>
      <div class="condition-value">
        {info?.value === false ? (
          <p class="condition-fixed">
            <span class="condition-fixed-label">Value</span>
            <span class="muted">None: {info.help}</span>
          </p>
        ) : (
          <Field
            label="Value"
            name={`${path}.value`}
            idPrefix={prefix}
            value={condition.value}
            autoComplete="off"
            hint={info?.help}
            error={error}
            onInput={(e) => onChange({ ...condition, value: e.currentTarget.value })}
          />
        )}
        {info?.semver && (
          <Check
            label="Compare as versions (semver, e.g. 1.2.3)"
            name="semver"
            idPrefix={prefix}
            checked={condition.semver}
            onChange={(e) => onChange({ ...condition, semver: e.currentTarget.checked })}
          />
        )}
      </div>
      <button type="button" class="button quiet small condition-remove" onClick={onRemove}>
        Remove<span class="visually-hidden"> {name}</span>
      </button>
    </fieldset>
  );
}

function Group({
  rule,
  name,
  path,
  depth,
  removable,
  features,
  error,
  onChange,
  onRemove,
}: {
  rule: RuleDraft;
  name: string;
  path: string;
  depth: number;
  removable: boolean;
  features: string[];
  error?: ApiError;
  onChange: (r: RuleDraft, structural: boolean) => void;
  onRemove: () => void;
}) {
  const typeId = `r${rule.key}-type`;
  const addId = `r${rule.key}-add`;
  const setCondition = (k: number, c: ConditionDraft) =>
    onChange({ ...rule, conditions: rule.conditions.map((x, i) => (i === k ? c : x)) }, false);
  const addCondition = () => {
    const c = newCondition();
    onChange({ ...rule, conditions: [...rule.conditions, c] }, true);
    focusSoon(`c${c.key}-${path}.conditions[${rule.conditions.length}].property`);
  };
  const removeCondition = (k: number) => {
    onChange({ ...rule, conditions: rule.conditions.filter((_, i) => i !== k) }, true);
    focusSoon(addId);
  };
  const addGroup = () => {
    const g = newRule('ANY');
    onChange({ ...rule, rules: [...rule.rules, g] }, true);
    focusSoon(`r${g.key}-type`);
  };
  const setChild = (k: number, r: RuleDraft, structural: boolean) =>
    onChange({ ...rule, rules: rule.rules.map((x, i) => (i === k ? r : x)) }, structural);
  const removeChild = (k: number) => {
    onChange({ ...rule, rules: rule.rules.filter((_, i) => i !== k) }, true);
    focusSoon(addId);
  };
  const empty = rule.conditions.length === 0 && rule.rules.length === 0;
  return (
    <fieldset class={`rule-group depth-${depth}`}>
      <legend>{name}</legend>
      <div class="field rule-type">
        <label for={typeId}>Match when</label>
        <select
          id={typeId}
          value={rule.type}
          onChange={(e) => onChange({ ...rule, type: e.currentTarget.value as RuleType }, false)}
        >
          {RULE_TYPES.map((t) => (
            <option key={t.type} value={t.type}>
              {t.label}
            </option>
          ))}
        </select>
      </div>
      {empty && <p class="muted">This group is empty, so it always matches.</p>}
      {rule.conditions.map((c, k) => (
        <ConditionRow
          key={c.key}
          condition={c}
          name={`${name}, condition ${k + 1}`}
          path={`${path}.conditions[${k}]`}
          features={features}
          error={error}
          onChange={(next) => setCondition(k, next)}
          onRemove={() => removeCondition(k)}
        />
      ))}
      {rule.rules.map((r, k) => (
        <Group
          key={r.key}
          rule={r}
          name={name === 'Rules' ? `Group ${k + 1}` : `${name}, group ${k + 1}`}
          path={`${path}.rules[${k}]`}
          depth={depth + 1}
          removable
          features={features}
          error={error}
          onChange={(next, structural) => setChild(k, next, structural)}
          onRemove={() => removeChild(k)}
        />
      ))}
      <div class="rule-actions">
        <button type="button" id={addId} class="button small" onClick={addCondition}>
          <PlusIcon />
          Add condition<span class="visually-hidden"> to {name}</span>
        </button>
        {depth < MAX_DEPTH && (
          <button type="button" class="button small" onClick={addGroup}>
            <PlusIcon />
            Add group<span class="visually-hidden"> to {name}</span>
          </button>
        )}
        {removable && (
          <button type="button" class="button quiet small danger" onClick={onRemove}>
            Remove group<span class="visually-hidden"> {name}</span>
          </button>
        )}
      </div>
    </fieldset>
  );
}

export function RuleBuilder({
  rules,
  features,
  error,
  onChange,
}: {
  rules: RuleDraft[];
  /** The project's feature names, for conditions on another flag's state. */
  features: string[];
  error?: ApiError;
  onChange: OnChange;
}) {
  return (
    <div class="rule-builder">
      {rules.map((r, i) => (
        <Group
          key={r.key}
          rule={r}
          name={rules.length > 1 ? `Rules ${i + 1}` : 'Rules'}
          path={`rules[${i}]`}
          depth={1}
          removable={rules.length > 1}
          features={features}
          error={error}
          onChange={(next, structural) => onChange(rules.map((x, k) => (k === i ? next : x)), structural)}
          onRemove={() => onChange(rules.filter((_, k) => k !== i), true)}
        />
      ))}
    </div>
  );
}
