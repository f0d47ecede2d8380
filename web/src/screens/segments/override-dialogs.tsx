// The dialogs of a segment's overrides: add one, change its value, remove it (explicitly
// confirmed), and put a feature's segment overrides in order.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { Environment, Feature } from '../../api/resources';
import { typedValue, useOverrideOrder, type FeatureSegment, type Segment } from '../../api/segments';
import { Dialog } from '../../components/dialog';
import { Check, Field, FormError, Notice } from '../../components/field';
import { useSubmit } from '../../components/form';

interface Props {
  segment: Segment;
  environment: Environment;
  onClose: () => void;
  /** After a change: a sentence for the status line. */
  onDone: (message: string) => void;
}

export const PRIORITY_RULE =
  'For each feature, the first segment that matches, top to bottom, decides; identity overrides come before segments.';

const VALUE_HINT = 'Whole numbers and true/false are served as such, anything else as text; may be left empty.';

function Buttons({ busy, label, busyLabel, onCancel, danger }: {
  busy: boolean;
  label: string;
  busyLabel: string;
  onCancel: () => void;
  danger?: boolean;
}) {
  return (
    <div class="actions">
      <button type="button" class="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" class={`button ${danger ? 'danger-solid' : 'primary'}`} disabled={busy}>
        {busy ? busyLabel : label}
      </button>
    </div>
  );
}

export function AddOverrideDialog({ open, features, segment, environment, onClose, onDone }: Props & {
  open: boolean;
  features: Feature[];
}) {
  const { busy, error, onSubmit, reset } = useSubmit(async (v) => {
    const feature = features.find((f) => String(f.id) === v.feature);
    if (!feature) return;
    await ok(
      api.POST('/api/v1/environments/{api_key}/features/{feature}/create-segment-override/', {
        params: { path: { api_key: environment.api_key, feature: feature.id } },
        body: {
          enabled: v.enabled === 'on',
          feature_state_value: typedValue(v.feature_state_value ?? ''),
          feature_segment: { segment: segment.id },
        },
      }),
    );
    onDone(`${feature.name} is overridden for ${segment.name} in ${environment.name}.`);
  });
  const close = () => {
    reset();
    onClose();
  };
  const fields = ['feature', 'feature_state_value', 'enabled'];
  return (
    <Dialog open={open} title="Add override" onClose={close}>
      <form onSubmit={onSubmit} noValidate>
        <p class="hint">
          For identities in {segment.name}, in {environment.name} only. It comes last in the feature's order.
        </p>
        <div class="field">
          <label for="override-feature">Feature</label>
          <select id="override-feature" name="feature" class="wide">
            {features.map((f) => (
              <option key={f.id} value={String(f.id)}>
                {f.name}
              </option>
            ))}
          </select>
        </div>
        <Field label="Value" name="feature_state_value" idPrefix="override" hint={VALUE_HINT} autoComplete="off" error={error} />
        <Check label={`Enabled for ${segment.name}`} name="enabled" idPrefix="override" defaultChecked />
        <FormError error={error} fields={fields} />
        <Buttons busy={busy} label="Add override" busyLabel="Adding…" onCancel={close} />
      </form>
    </Dialog>
  );
}

export function EditOverrideDialog({ feature, segment, environment, onClose, onDone }: Props & {
  feature: Feature | null;
}) {
  const state = feature?.segment_feature_state;
  const { busy, error, onSubmit, reset } = useSubmit(async (v) => {
    if (!state || !feature) return;
    await ok(
      api.PATCH('/api/v1/features/featurestates/{id}/', {
        params: { path: { id: state.id } },
        body: { enabled: v.enabled === 'on', feature_state_value: typedValue(v.feature_state_value ?? '') },
      }),
    );
    onDone(`${feature.name}'s override for ${segment.name} saved.`);
  });
  const close = () => {
    reset();
    onClose();
  };
  const current = state?.feature_state_value;
  return (
    <Dialog open={feature !== null} title="Edit override" onClose={close}>
      <form onSubmit={onSubmit} noValidate key={feature?.id}>
        <p class="hint">
          {feature?.name} for {segment.name} in {environment.name}.
        </p>
        <Field
          label="Value"
          name="feature_state_value"
          idPrefix="override-edit"
          hint={VALUE_HINT}
          autoComplete="off"
          defaultValue={current === null || current === undefined ? '' : String(current)}
          error={error}
        />
        <Check
          label={`Enabled for ${segment.name}`}
          name="enabled"
          idPrefix="override-edit"
          defaultChecked={Boolean(state?.enabled)}
        />
        <FormError error={error} fields={['feature_state_value', 'enabled']} />
        <Buttons busy={busy} label="Save override" busyLabel="Saving…" onCancel={close} />
      </form>
    </Dialog>
  );
}

export function RemoveOverrideDialog({ feature, segment, environment, onClose, onDone }: Props & {
  feature: Feature | null;
}) {
  const { busy, error, onSubmit, reset } = useSubmit(async () => {
    const id = feature?.segment_feature_state?.feature_segment;
    if (!feature || id === null || id === undefined) return;
    await ok(api.DELETE('/api/v1/features/feature-segments/{id}/', { params: { path: { id } } }));
    onDone(`The override of ${feature.name} for ${segment.name} is removed.`);
  });
  const close = () => {
    reset();
    onClose();
  };
  return (
    <Dialog open={feature !== null} title="Remove override" onClose={close}>
      <form onSubmit={onSubmit} noValidate>
        <p>
          Remove the override of <strong>{feature?.name}</strong> for <strong>{segment.name}</strong> in{' '}
          {environment.name}? Its identities get the next matching segment's value, or the default.
        </p>
        <FormError error={error} fields={[]} />
        <Buttons busy={busy} label="Remove override" busyLabel="Removing…" onCancel={close} danger />
      </form>
    </Dialog>
  );
}

function OrderList({ feature, segment, environment, initial, onClose, onDone }: Omit<Props, 'segment'> & {
  feature: Feature;
  segment: Segment;
  initial: FeatureSegment[];
}) {
  const [order, setOrder] = useState(initial);
  const { busy, error, onSubmit } = useSubmit(async () => {
    await ok(
      api.POST('/api/v1/features/feature-segments/update-priorities/', {
        body: order.map((o, priority) => ({ id: o.id, priority })),
      }),
    );
    onDone(`The order of ${feature.name}'s overrides in ${environment.name} is saved.`);
  });
  const move = (from: number, to: number) => {
    const next = [...order];
    const [item] = next.splice(from, 1);
    next.splice(to, 0, item);
    setOrder(next);
    // Keep focus on the moved item, or on its other button when this one disappears at an end.
    const direction = to < from ? 'up' : 'down';
    const other = direction === 'up' ? 'down' : 'up';
    const edge = direction === 'up' ? to === 0 : to === next.length - 1;
    setTimeout(() => document.getElementById(`order-${item.id}-${edge ? other : direction}`)?.focus(), 0);
  };
  return (
    <form onSubmit={onSubmit} noValidate>
      <p class="hint">{PRIORITY_RULE}</p>
      <ol class="order-list">
        {order.map((o, i) => (
          <li key={o.id} class={o.segment === segment.id ? 'current' : undefined}>
            <span class="order-name">
              {o.segment_name}
              {o.segment === segment.id && <span class="muted"> (this segment)</span>}
            </span>
            {i > 0 && (
              <button type="button" id={`order-${o.id}-up`} class="button small" onClick={() => move(i, i - 1)}>
                Move up<span class="visually-hidden"> {o.segment_name}</span>
              </button>
            )}
            {i < order.length - 1 && (
              <button type="button" id={`order-${o.id}-down`} class="button small" onClick={() => move(i, i + 1)}>
                Move down<span class="visually-hidden"> {o.segment_name}</span>
              </button>
            )}
          </li>
        ))}
      </ol>
      <FormError error={error} fields={[]} />
      <Buttons busy={busy} label="Save order" busyLabel="Saving…" onCancel={onClose} />
    </form>
  );
}

export function OrderDialog({ feature, segment, environment, onClose, onDone }: Props & { feature: Feature | null }) {
  const order = useOverrideOrder(environment.id, feature?.id ?? null);
  return (
    <Dialog open={feature !== null} title="Order of overrides" onClose={onClose}>
      <p>
        Segment overrides of <strong>{feature?.name}</strong> in {environment.name}, strongest first.
      </p>
      {order.error && <Notice>{order.error.message}</Notice>}
      {feature && order.data && (
        <OrderList
          key={`${feature.id}-${order.data.map((o) => o.id).join(',')}`}
          feature={feature}
          segment={segment}
          environment={environment}
          initial={order.data}
          onClose={onClose}
          onDone={onDone}
        />
      )}
      {feature && order.loading && <p class="loading">Loading…</p>}
    </Dialog>
  );
}
