// The feature's value and switch in this environment, with an editor for the value's kind:
// text, a number, true/false, or JSON (checked with JSON.parse before anything is sent).
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { ApiError } from '../../api/errors';
import type { Environment, Feature } from '../../api/resources';
import { Field, FormError } from '../../components/field';
import { Select, TextArea } from '../../components/field-more';
import { useSubmit } from '../../components/form';
import { Toggle } from '../../components/toggle';
import { refreshFeatures, switchFeature } from './actions';
import { kindLabels, kindOf, parseValue, textOf, type ValueKind } from './value-kinds';

const FIELD = 'feature_state_value';

const hints: Record<ValueKind, string | undefined> = {
  text: 'Served as text. Leave empty for no value.',
  number: 'Whole numbers are served as numbers; decimals are served as text, as Flagsmith does.',
  boolean: undefined,
  json: 'Checked as JSON, then served as text that the application parses.',
};

function Editor({ kind, text, setText, error }: { kind: ValueKind; text: string; setText: (t: string) => void; error?: ApiError }) {
  if (kind === 'json') {
    return (
      <TextArea
        label="Value (JSON)"
        name={FIELD}
        idPrefix="value"
        rows={6}
        spellcheck={false}
        class="code-input"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        hint={hints.json}
        error={error}
      />
    );
  }
  if (kind === 'boolean') {
    const message = error?.field(FIELD);
    return (
      <fieldset class="field choice" aria-describedby={message ? 'value-boolean-error' : undefined}>
        <legend>Value</legend>
        {['true', 'false'].map((v) => (
          <label key={v} class="check">
            <input type="radio" name={FIELD} value={v} checked={text.trim() === v} onChange={() => setText(v)} />
            {v}
          </label>
        ))}
        {message && (
          <p class="field-error" id="value-boolean-error">
            {message}
          </p>
        )}
      </fieldset>
    );
  }
  return (
    <Field
      label={kind === 'number' ? 'Value (number)' : 'Value'}
      name={FIELD}
      idPrefix="value"
      inputMode={kind === 'number' ? 'decimal' : undefined}
      autoComplete="off"
      value={text}
      onInput={(e) => setText(e.currentTarget.value)}
      hint={hints[kind]}
      error={error}
    />
  );
}

export function ValueCard({ feature, environment }: { feature: Feature; environment: Environment }) {
  const state = feature.environment_feature_state;
  const served = state?.feature_state_value;
  const [kind, setKind] = useState<ValueKind>(() => kindOf(served));
  const [text, setText] = useState(() => textOf(served));
  const [message, setMessage] = useState('');
  const { busy, error, onSubmit } = useSubmit(async () => {
    if (!state) return;
    setMessage('');
    const parsed = parseValue(kind, text);
    if ('error' in parsed) throw new ApiError(400, undefined, { [FIELD]: [parsed.error] });
    await ok(
      api.PATCH('/api/v1/environments/{api_key}/featurestates/{id}/', {
        params: { path: { api_key: environment.api_key, id: state.id } },
        body: { feature_state_value: parsed.value },
      }),
    );
    await refreshFeatures(feature.project, environment.api_key);
    setMessage(`Saved the value in ${environment.name}.`);
  });

  const onToggle = async (on: boolean) => {
    try {
      await switchFeature(feature, environment, on);
      setMessage(`${feature.name} is ${on ? 'on' : 'off'} in ${environment.name}.`);
    } catch (e) {
      setMessage(`Could not turn ${feature.name} ${on ? 'on' : 'off'}: ${(e as Error).message}`);
    }
  };

  if (!state) return <p>This feature has no state in {environment.name}.</p>;
  return (
    <section class="card" aria-labelledby="value-heading">
      <div class="card-head">
        <h2 id="value-heading">In {environment.name}</h2>
        <Toggle on={state.enabled} label={`${feature.name} enabled in ${environment.name}`} onChange={(on) => void onToggle(on)} />
      </div>
      <form onSubmit={onSubmit} noValidate>
        <Select
          label="Kind of value"
          name="kind"
          idPrefix="value"
          value={kind}
          onChange={(e) => setKind(e.currentTarget.value as ValueKind)}
        >
          {(Object.keys(kindLabels) as ValueKind[]).map((k) => (
            <option key={k} value={k}>
              {kindLabels[k]}
            </option>
          ))}
        </Select>
        <Editor kind={kind} text={text} setText={setText} error={error} />
        <FormError error={error} fields={[FIELD]} />
        <div class="actions">
          <p class="status" role="status">
            {message}
          </p>
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save value'}
          </button>
        </div>
      </form>
    </section>
  );
}
