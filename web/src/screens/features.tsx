// The main screen: a project's features in one environment. Search filters in the browser; the
// switch turns a feature on or off in this environment with one click.
import { useMemo, useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import { update } from '../api/cache';
import { keys, useEnvironments, useFeatures, type Feature } from '../api/resources';
import { Notice } from '../components/field';
import { PlusIcon, SearchIcon } from '../components/icons';
import { Toggle } from '../components/toggle';
import { CreateFeatureDialog, EditValueDialog } from './feature-forms';

const count = (n: number) => `${n} ${n === 1 ? 'feature' : 'features'}`;

/** A state's value as the SDK serves it, for display. */
function Value({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === '') return <span class="muted">No value</span>;
  return <code class="value">{typeof value === 'string' ? value : JSON.stringify(value)}</code>;
}

function Row({
  feature,
  environmentName,
  onToggle,
  onEdit,
}: {
  feature: Feature;
  environmentName: string;
  onToggle: (feature: Feature, on: boolean) => void;
  onEdit: (feature: Feature) => void;
}) {
  const state = feature.environment_feature_state;
  return (
    <tr>
      <th scope="row">
        <span class="feature-name">{feature.name}</span>
        {feature.description && <span class="feature-description">{feature.description}</span>}
      </th>
      <td>
        <Value value={state?.feature_state_value} />
      </td>
      <td>
        <button type="button" class="button quiet small" onClick={() => onEdit(feature)}>
          Edit value<span class="visually-hidden"> of {feature.name}</span>
        </button>
      </td>
      <td>
        {state && (
          <Toggle
            on={state.enabled}
            label={`${feature.name} enabled in ${environmentName}`}
            onChange={(on) => onToggle(feature, on)}
          />
        )}
      </td>
    </tr>
  );
}

export function FeaturesScreen({ project, environment }: { project: number; environment: string }) {
  const environments = useEnvironments(project);
  const current = environments.data?.find((e) => e.api_key === environment);
  const features = useFeatures(project, current?.id ?? null);
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Feature | null>(null);
  const [message, setMessage] = useState('');
  const key = current ? keys.features(project, current.id) : '';

  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    const all = features.data ?? [];
    return q ? all.filter((f) => f.name.toLowerCase().includes(q)) : all;
  }, [features.data, search]);

  const setEnabled = (id: number, enabled: boolean) =>
    update<Feature[]>(key, (list) =>
      list.map((f) =>
        f.id === id && f.environment_feature_state
          ? { ...f, environment_feature_state: { ...f.environment_feature_state, enabled } }
          : f,
      ),
    );

  const onToggle = async (feature: Feature, on: boolean) => {
    const state = feature.environment_feature_state;
    if (!state) return;
    setEnabled(feature.id, on);
    try {
      await ok(
        api.PATCH('/api/v1/environments/{api_key}/featurestates/{id}/', {
          params: { path: { api_key: environment, id: state.id } },
          body: { enabled: on },
        }),
      );
      setMessage(`${feature.name} is ${on ? 'on' : 'off'} in ${current?.name ?? 'this environment'}.`);
    } catch (e) {
      setEnabled(feature.id, !on);
      setMessage(`Could not turn ${feature.name} ${on ? 'on' : 'off'}: ${(e as Error).message}`);
    }
  };

  if (environments.data && !current) return <Notice>This project has no environment with that key.</Notice>;
  const total = features.data?.length ?? 0;
  return (
    <>
      <div class="page-head">
        <h1>
          Features<span class="subtitle"> in {current?.name ?? '…'}</span>
        </h1>
        <button type="button" class="button primary" onClick={() => setCreating(true)} disabled={!current}>
          <PlusIcon />
          Create feature
        </button>
      </div>
      <div class="toolbar">
        <div class="search">
          <label for="feature-search">Search features by name</label>
          <div class="search-box">
            <SearchIcon />
            <input
              id="feature-search"
              type="search"
              value={search}
              onInput={(e) => setSearch(e.currentTarget.value)}
              autoComplete="off"
            />
          </div>
        </div>
        <p class="count" aria-live="polite">
          {features.data ? (search ? `${shown.length} of ${count(total)}` : count(total)) : ''}
        </p>
      </div>
      <p class="visually-hidden" role="status">
        {message}
      </p>
      {(features.error || environments.error) && <Notice>{(features.error ?? environments.error)?.message}</Notice>}
      {features.loading && <p class="loading">Loading features…</p>}
      {features.data && total === 0 && <p>No features yet. Create the first one.</p>}
      {shown.length > 0 && (
        <table class="table features">
          <caption class="visually-hidden">Features in {current?.name}</caption>
          <thead>
            <tr>
              <th scope="col">Feature</th>
              <th scope="col">Value</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
              <th scope="col">Enabled</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((f) => (
              <Row key={f.id} feature={f} environmentName={current?.name ?? ''} onToggle={onToggle} onEdit={setEditing} />
            ))}
          </tbody>
        </table>
      )}
      {features.data && total > 0 && shown.length === 0 && <p>No feature name contains “{search.trim()}”.</p>}
      {current && (
        <CreateFeatureDialog open={creating} project={project} onClose={() => setCreating(false)} />
      )}
      {current && (
        <EditValueDialog
          feature={editing}
          environment={current}
          onClose={() => setEditing(null)}
        />
      )}
    </>
  );
}
