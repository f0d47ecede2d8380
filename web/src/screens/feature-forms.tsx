// The features screen's dialogs: create a feature, change a feature's value in one environment.
import { api, ok } from '../api/client';
import { invalidate } from '../api/cache';
import { ApiError } from '../api/errors';
import { useProject } from '../api/feature';
import type { Environment, Feature } from '../api/resources';
import { Dialog } from '../components/dialog';
import { Check, Field, FormError } from '../components/field';
import { useSubmit } from '../components/form';
import { nameProblem } from './feature/name-rules';
import { useFormEdits } from '../components/unsaved';

export function CreateFeatureDialog({
  open,
  project,
  onClose,
}: {
  open: boolean;
  project: number;
  onClose: () => void;
}) {
  const rules = useProject(project);
  const { busy, error, onSubmit, reset } = useSubmit(async (v, form) => {
    const problem = nameProblem(rules.data, v.name);
    if (problem) throw new ApiError(400, undefined, { name: [problem] });
    await ok(
      api.POST('/api/v1/projects/{project}/features/', {
        params: { path: { project } },
        body: {
          name: v.name,
          description: v.description || null,
          default_enabled: v.default_enabled === 'on',
          initial_value: v.initial_value === '' ? null : v.initial_value,
        },
      }),
    );
    await invalidate(`/api/v1/projects/${project}/features/`);
    form.reset();
    onClose();
  });
  const edits = useFormEdits(open);
  const close = () => {
    reset();
    onClose();
  };
  const fields = ['name', 'description', 'initial_value', 'default_enabled'];
  return (
    <Dialog open={open} title="Create feature" onClose={close}>
      <form onSubmit={onSubmit} noValidate ref={edits.ref}>
        <Field label="Name" name="name" idPrefix="feature" required autoComplete="off" error={error} />
        <Field label="Description" name="description" idPrefix="feature" error={error} />
        <Field
          label="Value"
          name="initial_value"
          idPrefix="feature"
          hint="What the SDK serves; may be left empty."
          error={error}
        />
        <Check label="Enabled by default in every environment" name="default_enabled" idPrefix="feature" />
        <FormError error={error} fields={fields} />
        <div class="actions">
          <button type="button" class="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create feature'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The value to store for what was typed: the same type as before where it still fits
 * (a number stays a number, true/false a boolean), else text; empty is no value. */
export function typedValue(text: string, previous: unknown): string | number | boolean | null {
  if (text === '') return null;
  if (typeof previous === 'number' && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  if (typeof previous === 'boolean' && /^(true|false)$/.test(text.trim())) return text.trim() === 'true';
  return text;
}

export function EditValueDialog({
  feature,
  environment,
  onClose,
}: {
  feature: Feature | null;
  environment: Environment;
  onClose: () => void;
}) {
  const state = feature?.environment_feature_state;
  const { busy, error, onSubmit, reset } = useSubmit(async (v) => {
    if (!state || !feature) return;
    await ok(
      api.PATCH('/api/v1/environments/{api_key}/featurestates/{id}/', {
        params: { path: { api_key: environment.api_key, id: state.id } },
        body: { feature_state_value: typedValue(v.feature_state_value, state.feature_state_value) },
      }),
    );
    await invalidate(`/api/v1/projects/${feature.project}/features/`);
    onClose();
  });
  const close = () => {
    reset();
    onClose();
  };
  const current = state?.feature_state_value;
  return (
    <Dialog open={feature !== null} title={`Value of ${feature?.name ?? 'feature'}`} onClose={close}>
      <form onSubmit={onSubmit} noValidate key={feature?.id}>
        <Field
          label={`Value in ${environment.name}`}
          name="feature_state_value"
          idPrefix="state"
          defaultValue={current === null || current === undefined ? '' : String(current)}
          error={error}
        />
        <FormError error={error} fields={['feature_state_value']} />
        <div class="actions">
          <button type="button" class="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save value'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
