// This environment's weights for the feature's variations: a percentage per option, at most 100
// in all, drawn as one stacked bar whose remainder is the control value. Checked before sending.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { ApiError } from '../../api/errors';
import type { FeatureState } from '../../api/feature';
import type { Environment, Feature } from '../../api/resources';
import { Field, FormError } from '../../components/field';
import { useSubmit } from '../../components/form';
import { refreshFeatures } from './actions';
import { optionValue } from './options';

const TOTAL = 'weights';
const name = (option: number) => `weight-${option}`;
const format = (n: number) => `${Math.round(n * 100) / 100}%`;

/** The weights typed, or the messages for the fields that are wrong (and the total). */
function check(texts: Record<number, string>): { weights: Record<number, number>; errors: Record<string, string[]> } {
  const weights: Record<number, number> = {};
  const errors: Record<string, string[]> = {};
  for (const [id, text] of Object.entries(texts)) {
    const n = text.trim() === '' ? 0 : Number(text);
    if (!Number.isFinite(n) || n < 0 || n > 100) errors[name(Number(id))] = ['Enter a percentage from 0 to 100.'];
    else weights[Number(id)] = n;
  }
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  if (total > 100) errors[TOTAL] = [`The weights add up to ${format(total)}; at most 100% is possible.`];
  return { weights, errors };
}

/** The API's messages for the i-th share, moved to that option's field. */
function toFields(e: unknown, ids: number[]): unknown {
  if (!(e instanceof ApiError)) return e;
  const fields: Record<string, string[]> = {};
  for (const [key, messages] of Object.entries(e.fields)) {
    const at = /^multivariate_feature_state_values\[(\d+)\]/.exec(key);
    const id = at ? ids[Number(at[1])] : undefined;
    fields[id === undefined ? (key === 'non_field_errors' ? TOTAL : key) : name(id)] = messages;
  }
  return new ApiError(e.status, e.detail, fields);
}

function Bar({ parts }: { parts: { label: string; percent: number }[] }) {
  let x = 0;
  return (
    <svg class="weight-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" focusable="false">
      {parts.map((p, i) => {
        const width = Math.max(0, Math.min(p.percent, 100 - x));
        const rect = <rect key={p.label} class={i === parts.length - 1 ? 'bar-control' : `bar-${i % 6}`} x={x} y="0" width={width} height="8" />;
        x += width;
        return rect;
      })}
    </svg>
  );
}

export function WeightsCard({ feature, environment, state }: { feature: Feature; environment: Environment; state: FeatureState }) {
  const options = feature.multivariate_options;
  const share = (id: number) => state.multivariate_feature_state_values.find((v) => v.multivariate_feature_option === id);
  const [texts, setTexts] = useState<Record<number, string>>(() =>
    Object.fromEntries(options.map((o) => [o.id, String(share(o.id)?.percentage_allocation ?? 0)])),
  );
  const [saved, setSaved] = useState('');
  // The weights the last try sent (or refused): its messages stand until the weights change.
  const [tried, setTried] = useState<Record<number, string> | null>(null);
  const live = check(texts);
  const { busy, error: lastError, onSubmit } = useSubmit(async () => {
    setSaved('');
    setTried(texts);
    if (Object.keys(live.errors).length > 0) throw new ApiError(400, undefined, live.errors);
    const ids = options.map((o) => o.id);
    await ok(
      api.PATCH('/api/v1/environments/{api_key}/featurestates/{id}/', {
        params: { path: { api_key: environment.api_key, id: state.id } },
        body: {
          multivariate_feature_state_values: ids.map((id) => ({ multivariate_feature_option: id, percentage_allocation: live.weights[id] ?? 0 })),
        },
      }),
    ).catch((e: unknown) => {
      throw toFields(e, ids);
    });
    await refreshFeatures(feature.project, environment.api_key);
    setSaved(`Saved the weights in ${environment.name}.`);
  });
  // The weights are checked as one types; the API's answer to a try shows until they change.
  const error = tried === texts ? lastError : undefined;
  const shown = error ?? (Object.keys(live.errors).length > 0 ? new ApiError(400, undefined, live.errors) : undefined);
  const total = Object.values(live.weights).reduce((a, b) => a + b, 0);
  const control = Math.max(0, 100 - total);
  const parts = [...options.map((o) => ({ label: optionValue(o), percent: live.weights[o.id] ?? 0 })), { label: 'control', percent: control }];
  const totalError = shown?.field(TOTAL);
  if (options.length === 0) return null;
  return (
    <section class="card" aria-labelledby="weights-heading">
      <h2 id="weights-heading">Weights in {environment.name}</h2>
      <form onSubmit={onSubmit} noValidate>
        <div class="weights">
          {options.map((o, i) => (
            <Field
              key={o.id}
              label={`Weight of variation ${i + 1} (${optionValue(o)}), %`}
              name={name(o.id)}
              idPrefix="weights"
              inputMode="decimal"
              autoComplete="off"
              value={texts[o.id] ?? ''}
              onInput={(e) => setTexts({ ...texts, [o.id]: e.currentTarget.value })}
              error={shown}
              aria-invalid={shown?.field(name(o.id)) || totalError ? 'true' : undefined}
              aria-describedby={
                [shown?.field(name(o.id)) ? `weights-${name(o.id)}-error` : '', totalError ? 'weights-total-error' : '']
                  .filter(Boolean)
                  .join(' ') || undefined
              }
            />
          ))}
        </div>
        <Bar parts={parts} />
        <ul class="weight-legend">
          {parts.map((p, i) => (
            <li key={p.label}>
              <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true" focusable="false">
                <rect class={i === parts.length - 1 ? 'bar-control' : `bar-${i % 6}`} width="10" height="10" rx="2" />
              </svg>
              {i === parts.length - 1 ? `Control (remaining): ${format(control)}` : `${p.label}: ${format(p.percent)}`}
            </li>
          ))}
        </ul>
        {totalError && (
          <p class="field-error" id="weights-total-error" role="alert">
            {totalError}
          </p>
        )}
        <FormError error={error} fields={[TOTAL, ...options.map((o) => name(o.id))]} />
        <div class="actions">
          <p class="status" role="status">
            {saved}
          </p>
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save weights'}
          </button>
        </div>
      </form>
    </section>
  );
}
