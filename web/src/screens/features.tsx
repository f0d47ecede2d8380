// The main screen: a project's features in one environment. Search, the tag, state and owner
// filters and the order work in the browser; the switch turns a feature on or off in this environment
// with one click.
import { Component } from 'preact';
import { useMemo, useRef, useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import { update } from '../api/cache';
import { keys, useEnvironments, useFeatures, useMe, type Feature } from '../api/resources';
import { useGroups, useMembers } from '../api/admin';
import { Notice } from '../components/field';
import { PlusIcon, SearchIcon } from '../components/icons';
import { Toggle } from '../components/toggle';
import { CreateFeatureDialog, EditValueDialog } from './feature-forms';
import { FeatureNameLink } from './feature/link';
import { useTags } from '../api/feature';

type StateFilter = 'all' | 'on' | 'off';
type Order = 'name' | 'name-desc' | 'newest' | 'oldest';

const orders: Record<Order, (a: Feature, b: Feature) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  'name-desc': (a, b) => b.name.localeCompare(a.name),
  newest: (a, b) => b.created_date.localeCompare(a.created_date) || b.id - a.id,
  oldest: (a, b) => a.created_date.localeCompare(b.created_date) || a.id - b.id,
};

const count = (n: number) => `${n} ${n === 1 ? 'feature' : 'features'}`;

/** Who owns a feature: `user:<id>` or `group:<id>`; '' is anyone. */
function ownedBy(owner: string) {
  const [kind, id] = owner.split(':');
  const n = Number(id);
  if (kind === 'user') return (f: Feature) => f.owners.some((o) => o.id === n);
  if (kind === 'group') return (f: Feature) => f.group_owners.some((g) => g.id === n);
  return () => true;
}

/** A state's value as the SDK serves it, for display. */
function Value({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === '') return <span class="muted">No value</span>;
  return <code class="value">{typeof value === 'string' ? value : JSON.stringify(value)}</code>;
}

/** Rows shown at first and added by "Show more": the browser lays out a few hundred rows at once
 * quickly, a thousand slowly. The search always looks through every feature. */
const PAGE = 100;

interface RowProps {
  feature: Feature;
  environmentName: string;
  onToggle: (feature: Feature, on: boolean) => void;
  onEdit: (feature: Feature) => void;
}

/** A feature's row; re-renders only when its feature changes (a toggle redraws one row). */
class Row extends Component<RowProps> {
  shouldComponentUpdate(next: RowProps) {
    return next.feature !== this.props.feature || next.environmentName !== this.props.environmentName;
  }

  render() {
    return <RowView {...this.props} />;
  }
}

function RowView({ feature, environmentName, onToggle, onEdit }: RowProps) {
  const state = feature.environment_feature_state;
  return (
    <tr>
      <th scope="row">
        <FeatureNameLink feature={feature} />
        {feature.description && <span class="feature-description">{feature.description}</span>}
      </th>
      <td>
        <Value value={state?.feature_state_value} />
      </td>
      <td>
        <button type="button" class="button small" onClick={() => onEdit(feature)}>
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

export function FeaturesScreen({
  organisation,
  project,
  environment,
}: {
  organisation: number;
  project: number;
  environment: string;
}) {
  const environments = useEnvironments(project);
  const me = useMe();
  const members = useMembers(organisation);
  const groups = useGroups(organisation);
  const [owner, setOwner] = useState('');
  const current = environments.data?.find((e) => e.api_key === environment);
  const features = useFeatures(project, current?.id ?? null);
  const [search, setSearch] = useState('');
  const [tag, setTag] = useState('');
  const [state, setState] = useState<StateFilter>('all');
  const [order, setOrder] = useState<Order>('name');
  const tags = useTags(project);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Feature | null>(null);
  const [message, setMessage] = useState('');
  // How many rows to show, for the search it was chosen with (a new search starts again).
  const view = `${search}\n${tag}\n${state}\n${owner}\n${order}`;
  const [more, setMore] = useState({ view: `\n\nall\n\nname`, limit: PAGE });
  const limit = more.view === view ? more.limit : PAGE;
  const setLimit = (n: number) => setMore({ view, limit: n });
  const key = current ? keys.features(project, current.id) : '';

  const filtering = search.trim() !== '' || tag !== '' || state !== 'all' || owner !== '';
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    const tagId = tag === '' ? null : Number(tag);
    const owned = ownedBy(owner);
    const matches = (f: Feature) =>
      owned(f) &&
      (!q || f.name.toLowerCase().includes(q)) &&
      (tagId === null || f.tags.includes(tagId)) &&
      (state === 'all' || (f.environment_feature_state?.enabled ?? false) === (state === 'on'));
    const list = (features.data ?? []).filter(matches);
    return list.sort(orders[order]);
  }, [features.data, search, tag, state, owner, order]);

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

  // Rows get stable callbacks, so that only a changed row re-renders.
  const handlers = useRef({ onToggle, onEdit: setEditing });
  handlers.current = { onToggle, onEdit: setEditing };
  const stable = useMemo(
    () => ({
      onToggle: (f: Feature, on: boolean) => void handlers.current.onToggle(f, on),
      onEdit: (f: Feature) => handlers.current.onEdit(f),
    }),
    [],
  );

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
        <div class="filters">
          <div class="filter">
            <label for="feature-tag">Tag</label>
            <select id="feature-tag" value={tag} onChange={(e) => setTag(e.currentTarget.value)}>
              <option value="">Any tag</option>
              {(tags.data ?? []).map((t) => (
                <option key={t.id} value={String(t.id)}>
                  {t.label}
                </option>
              ))}
            </select>
          </div>
          <div class="filter">
            <label for="feature-state">State</label>
            <select id="feature-state" value={state} onChange={(e) => setState(e.currentTarget.value as StateFilter)}>
              <option value="all">On and off</option>
              <option value="on">On</option>
              <option value="off">Off</option>
            </select>
          </div>
          <div class="filter">
            <label for="feature-owner">Owner</label>
            <select id="feature-owner" value={owner} onChange={(e) => setOwner(e.currentTarget.value)}>
              <option value="">Anyone</option>
              {me.data && <option value={`user:${me.data.id}`}>Owned by me</option>}
              {(members.data ?? [])
                .filter((m) => m.id !== me.data?.id)
                .map((m) => (
                  <option key={`user:${m.id}`} value={`user:${m.id}`}>
                    {[m.first_name, m.last_name].join(' ').trim() || m.email}
                  </option>
                ))}
              {(groups.data ?? []).map((g) => (
                <option key={`group:${g.id}`} value={`group:${g.id}`}>
                  Group: {g.name}
                </option>
              ))}
            </select>
          </div>
          <div class="filter">
            <label for="feature-order">Order</label>
            <select id="feature-order" value={order} onChange={(e) => setOrder(e.currentTarget.value as Order)}>
              <option value="name">Name, A to Z</option>
              <option value="name-desc">Name, Z to A</option>
              <option value="newest">Newest first</option>
              <option value="oldest">Oldest first</option>
            </select>
          </div>
        </div>
        <p class="count" aria-live="polite">
          {features.data ? (filtering ? `${shown.length} of ${count(total)}` : count(total)) : ''}
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
            {shown.slice(0, limit).map((f) => (
              <Row key={f.id} feature={f} environmentName={current?.name ?? ''} {...stable} />
            ))}
          </tbody>
        </table>
      )}
      {shown.length > limit && (
        <p class="more">
          <span>
            Showing {limit} of {shown.length}.
          </span>
          <button type="button" class="button" onClick={() => setLimit(limit + PAGE)}>
            Show {Math.min(PAGE, shown.length - limit)} more
          </button>
          <button type="button" class="button quiet" onClick={() => setLimit(shown.length)}>
            Show all {shown.length}
          </button>
        </p>
      )}
      {features.data && total > 0 && shown.length === 0 && (
        <p>
          {search.trim() && tag === '' && state === 'all' && owner === ''
            ? `No feature name contains “${search.trim()}”.`
            : 'No feature matches this search and these filters.'}
        </p>
      )}
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
