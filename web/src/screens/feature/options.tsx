// The feature's multivariate options (variations): add one, change its value, delete it.
// Options belong to the feature in every environment; each environment weighs them (weights.tsx).
import { useState } from 'preact/hooks';
import { api, ok, type Schemas } from '../../api/client';
import { ApiError } from '../../api/errors';
import type { MvOption } from '../../api/feature';
import type { Feature } from '../../api/resources';
import { Dialog } from '../../components/dialog';
import { Field, FormError } from '../../components/field';
import { useSubmit } from '../../components/form';
import { refreshFeatures } from './actions';

/** An option's value as text, whatever its type. */
export function optionValue(o: MvOption): string {
  if (o.type === 'int') return String(o.integer_value ?? '');
  if (o.type === 'bool') return String(o.boolean_value ?? '');
  return o.string_value ?? '';
}

/** The body that sets an option's value, keeping its type (checked for numbers and booleans). */
function valueBody(type: string, text: string): Schemas['MvOptionIn'] {
  if (type === 'int') {
    if (!/^-?\d+$/.test(text.trim())) throw new ApiError(400, undefined, { string_value: ['Enter a whole number.'] });
    return { type, integer_value: Number(text.trim()) };
  }
  if (type === 'bool') {
    if (!/^(true|false)$/.test(text.trim())) throw new ApiError(400, undefined, { string_value: ['Enter true or false.'] });
    return { type, boolean_value: text.trim() === 'true' };
  }
  return { type: 'unicode', string_value: text };
}

/** The API names the typed column; the form has one value field. */
function asValueError(e: unknown): never {
  if (e instanceof ApiError) {
    const { integer_value, boolean_value, ...rest } = e.fields;
    const value = [...(rest.string_value ?? []), ...(integer_value ?? []), ...(boolean_value ?? [])];
    throw new ApiError(e.status, e.detail, value.length ? { ...rest, string_value: value } : rest);
  }
  throw e;
}

function OptionRow({
  feature,
  option,
  index,
  onDelete,
}: {
  feature: Feature;
  option: MvOption;
  index: number;
  onDelete: () => void;
}) {
  const [saved, setSaved] = useState('');
  const { busy, error, onSubmit } = useSubmit(async (v) => {
    setSaved('');
    await ok(
      api.PATCH('/api/v1/projects/{project}/features/{feature}/mv-options/{id}/', {
        params: { path: { project: feature.project, feature: feature.id, id: option.id } },
        body: valueBody(option.type, v.string_value),
      }),
    ).catch(asValueError);
    await refreshFeatures(feature.project);
    setSaved('Saved.');
  });
  return (
    <li class="option">
      <form class="inline-form" onSubmit={onSubmit} noValidate>
        <Field
          label={`Variation ${index + 1}`}
          name="string_value"
          idPrefix={`option-${option.id}`}
          defaultValue={optionValue(option)}
          autoComplete="off"
          error={error}
        />
        <button type="submit" class="button" disabled={busy}>
          Save<span class="visually-hidden"> variation {index + 1}</span>
        </button>
        <button type="button" class="button danger" onClick={onDelete}>
          Delete<span class="visually-hidden"> variation {index + 1}</span>
        </button>
      </form>
      <FormError error={error} fields={['string_value']} />
      {saved && (
        <p class="hint" role="status">
          {saved}
        </p>
      )}
    </li>
  );
}

function DeleteOptionDialog({
  feature,
  environmentKey,
  option,
  onClose,
}: {
  feature: Feature;
  environmentKey: string;
  option: MvOption | null;
  onClose: () => void;
}) {
  const { busy, error, onSubmit, reset } = useSubmit(async () => {
    if (!option) return;
    await ok(
      api.DELETE('/api/v1/projects/{project}/features/{feature}/mv-options/{id}/', {
        params: { path: { project: feature.project, feature: feature.id, id: option.id } },
      }),
    );
    await refreshFeatures(feature.project, environmentKey);
    onClose();
  });
  const close = () => {
    reset();
    onClose();
  };
  return (
    <Dialog open={option !== null} title="Delete variation" onClose={close}>
      <form onSubmit={onSubmit}>
        <p>
          Delete the variation <code class="value">{option ? optionValue(option) : ''}</code>? Its weight in every
          environment goes back to the control value.
        </p>
        <FormError error={error} fields={[]} />
        <div class="actions">
          <button type="button" class="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" class="button danger-solid" disabled={busy}>
            {busy ? 'Deleting…' : 'Delete variation'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function OptionsCard({ feature, environmentKey }: { feature: Feature; environmentKey: string }) {
  const [deleting, setDeleting] = useState<MvOption | null>(null);
  const options = feature.multivariate_options;
  const { busy, error, onSubmit } = useSubmit(async (v, form) => {
    if (v.string_value === '') throw new ApiError(400, undefined, { string_value: ['Enter the variation’s value.'] });
    await ok(
      api.POST('/api/v1/projects/{project}/features/{feature}/mv-options/', {
        params: { path: { project: feature.project, feature: feature.id } },
        // No share by default: each environment's weights are set below, so adding changes nothing served.
        body: { type: 'unicode', string_value: v.string_value, default_percentage_allocation: 0 },
      }),
    ).catch(asValueError);
    await refreshFeatures(feature.project, environmentKey);
    form.reset();
  });
  return (
    <section class="card" aria-labelledby="options-heading">
      <h2 id="options-heading">Variations</h2>
      <p class="hint">
        Identities get a variation by weight; the rest get the value above (the control). Variations are shared by
        every environment; each environment has its own weights.
      </p>
      {options.length > 0 && (
        <ul class="options">
          {options.map((o, i) => (
            <OptionRow key={`${o.id}-${optionValue(o)}`} feature={feature} option={o} index={i} onDelete={() => setDeleting(o)} />
          ))}
        </ul>
      )}
      <form class="inline-form add-option" onSubmit={onSubmit} noValidate>
        <Field label="New variation" name="string_value" idPrefix="new-option" autoComplete="off" error={error} />
        <button type="submit" class="button" disabled={busy}>
          Add variation
        </button>
      </form>
      <FormError error={error} fields={['string_value']} />
      <DeleteOptionDialog feature={feature} environmentKey={environmentKey} option={deleting} onClose={() => setDeleting(null)} />
    </section>
  );
}
