// A segment's overrides in one environment: which features it changes, to what, and where each
// stands among that feature's other segment overrides.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { invalidate, update } from '../../api/cache';
import type { Environment, Feature } from '../../api/resources';
import { segmentKeys, useOverrideOrder, useSegmentFeatures, type Segment } from '../../api/segments';
import { Notice } from '../../components/field';
import { PlusIcon } from '../../components/icons';
import { Toggle } from '../../components/toggle';
import { navigate } from '../../router';
import {
  AddOverrideDialog,
  EditOverrideDialog,
  OrderDialog,
  PRIORITY_RULE,
  RemoveOverrideDialog,
} from './override-dialogs';


function Value({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === '') return <span class="muted">No value</span>;
  return <code class="value">{typeof value === 'string' ? value : JSON.stringify(value)}</code>;
}

function Position({ environment, feature, segment }: { environment: number; feature: number; segment: number }) {
  const order = useOverrideOrder(environment, feature);
  if (!order.data) return <span class="muted">…</span>;
  const at = order.data.findIndex((o) => o.segment === segment);
  return <span>{at < 0 ? '—' : `${at + 1} of ${order.data.length}`}</span>;
}

type Dialog = { kind: 'add' } | { kind: 'edit' | 'remove' | 'order'; feature: Feature } | null;

export function SegmentOverrides({
  base,
  project,
  segment,
  environment,
  environments,
}: {
  base: string;
  project: number;
  segment: Segment;
  environment: Environment;
  environments: Environment[];
}) {
  const features = useSegmentFeatures(project, environment.id, segment.id);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [message, setMessage] = useState('');
  const key = segmentKeys.features(project, environment.id, segment.id);
  const overridden = (features.data ?? []).filter((f) => f.segment_feature_state);
  const free = (features.data ?? []).filter((f) => !f.segment_feature_state);
  const projectBase = base.replace(/\/environments\/[^/]+$/, '');

  const setEnabled = (id: number, enabled: boolean) =>
    update<Feature[]>(key, (list) =>
      list.map((f) =>
        f.id === id && f.segment_feature_state
          ? { ...f, segment_feature_state: { ...f.segment_feature_state, enabled } }
          : f,
      ),
    );
  const onToggle = async (feature: Feature, on: boolean) => {
    const state = feature.segment_feature_state;
    if (!state) return;
    setEnabled(feature.id, on);
    try {
      await ok(api.PATCH('/api/v1/features/featurestates/{id}/', { params: { path: { id: state.id } }, body: { enabled: on } }));
      setMessage(`${feature.name} is ${on ? 'on' : 'off'} for ${segment.name} in ${environment.name}.`);
    } catch (e) {
      setEnabled(feature.id, !on);
      setMessage(`Could not turn ${feature.name} ${on ? 'on' : 'off'}: ${(e as Error).message}`);
    }
  };
  const done = (text: string) => {
    setDialog(null);
    setMessage(text);
    void invalidate(segmentKeys.featureSegments);
    void invalidate(`/api/v1/projects/${project}/features/`);
  };

  return (
    <section class="card overrides" aria-labelledby="segment-overrides">
      <div class="page-head">
        <h2 id="segment-overrides">Overrides in {environment.name}</h2>
        <div class="switch">
          <label for="override-environment">Environment</label>
          <select
            id="override-environment"
            value={environment.api_key}
            onChange={(e) => navigate(`${projectBase}/environments/${e.currentTarget.value}/segments/${segment.id}`)}
          >
            {environments.map((e) => (
              <option key={e.api_key} value={e.api_key}>
                {e.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p class="hint">{PRIORITY_RULE}</p>
      <p class="visually-hidden" role="status">
        {message}
      </p>
      {features.error && <Notice>{features.error.message}</Notice>}
      {features.loading && <p class="loading">Loading overrides…</p>}
      {features.data && overridden.length === 0 && (
        <p>This segment overrides no feature in {environment.name} yet.</p>
      )}
      {overridden.length > 0 && (
        <table class="table segment-overrides">
          <caption class="visually-hidden">
            Overrides for {segment.name} in {environment.name}
          </caption>
          <thead>
            <tr>
              <th scope="col">Feature</th>
              <th scope="col">Value</th>
              <th scope="col">Order</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
              <th scope="col">Enabled</th>
            </tr>
          </thead>
          <tbody>
            {overridden.map((f) => (
              <tr key={f.id}>
                <th scope="row">
                  <span class="feature-name">{f.name}</span>
                  <span class="feature-description">
                    Default: <Value value={f.environment_feature_state?.feature_state_value} />
                  </span>
                </th>
                <td>
                  <Value value={f.segment_feature_state?.feature_state_value} />
                </td>
                <td>
                  <Position environment={environment.id} feature={f.id} segment={segment.id} />
                </td>
                <td class="row-actions">
                  <button type="button" class="button quiet small" onClick={() => setDialog({ kind: 'edit', feature: f })}>
                    Edit value<span class="visually-hidden"> of {f.name}</span>
                  </button>
                  <button type="button" class="button quiet small" onClick={() => setDialog({ kind: 'order', feature: f })}>
                    Change order<span class="visually-hidden"> of {f.name}'s overrides</span>
                  </button>
                  <button
                    type="button"
                    class="button quiet small danger"
                    onClick={() => setDialog({ kind: 'remove', feature: f })}
                  >
                    Remove<span class="visually-hidden"> override of {f.name}</span>
                  </button>
                </td>
                <td>
                  <Toggle
                    on={Boolean(f.segment_feature_state?.enabled)}
                    label={`${f.name} enabled for ${segment.name} in ${environment.name}`}
                    onChange={(on) => void onToggle(f, on)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="actions">
        <button
          type="button"
          class="button primary"
          disabled={!features.data || free.length === 0}
          onClick={() => setDialog({ kind: 'add' })}
        >
          <PlusIcon />
          Add override
        </button>
      </div>
      <AddOverrideDialog
        open={dialog?.kind === 'add'}
        features={free}
        segment={segment}
        environment={environment}
        onClose={() => setDialog(null)}
        onDone={done}
      />
      <EditOverrideDialog
        feature={dialog?.kind === 'edit' ? dialog.feature : null}
        segment={segment}
        environment={environment}
        onClose={() => setDialog(null)}
        onDone={done}
      />
      <RemoveOverrideDialog
        feature={dialog?.kind === 'remove' ? dialog.feature : null}
        segment={segment}
        environment={environment}
        onClose={() => setDialog(null)}
        onDone={done}
      />
      <OrderDialog
        feature={dialog?.kind === 'order' ? dialog.feature : null}
        segment={segment}
        environment={environment}
        onClose={() => setDialog(null)}
        onDone={done}
      />
    </section>
  );
}
