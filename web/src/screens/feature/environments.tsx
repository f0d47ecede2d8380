// The feature in every environment of the project, side by side: enabled (switchable here),
// value, segment overrides, and a link to the feature's page in that environment.
import { useState } from 'preact/hooks';
import { useFeature } from '../../api/feature';
import type { Environment } from '../../api/resources';
import { Link } from '../../components/link';
import { Toggle } from '../../components/toggle';
import { switchFeature } from './actions';

function Value({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === '') return <span class="muted">No value</span>;
  return <code class="value">{typeof value === 'string' ? value : JSON.stringify(value)}</code>;
}

function Row({
  project,
  feature,
  environment,
  current,
  base,
  onMessage,
}: {
  project: number;
  feature: number;
  environment: Environment;
  current: boolean;
  base: string;
  onMessage: (m: string) => void;
}) {
  const loaded = useFeature(project, feature, environment.id);
  const f = loaded.data;
  const state = f?.environment_feature_state;
  const onToggle = async (on: boolean) => {
    if (!f) return;
    try {
      await switchFeature(f, environment, on);
      onMessage(`${f.name} is ${on ? 'on' : 'off'} in ${environment.name}.`);
    } catch (e) {
      onMessage(`Could not turn ${f.name} ${on ? 'on' : 'off'} in ${environment.name}: ${(e as Error).message}`);
    }
  };
  return (
    <tr>
      <th scope="row">
        {current ? (
          <span>
            {environment.name} <span class="muted">(this page)</span>
          </span>
        ) : (
          <Link to={`${base}/environments/${environment.api_key}/features/${feature}`}>{environment.name}</Link>
        )}
      </th>
      <td>
        {state && (
          <Toggle on={state.enabled} label={`Enabled in ${environment.name}`} onChange={(on) => void onToggle(on)} />
        )}
        {loaded.error && <span class="field-error">{loaded.error.message}</span>}
      </td>
      <td>{state ? <Value value={state.feature_state_value} /> : loaded.loading ? <span class="muted">Loading…</span> : null}</td>
      <td>{f ? f.num_segment_overrides : ''}</td>
    </tr>
  );
}

export function EnvironmentsCard({
  project,
  feature,
  environments,
  current,
  base,
}: {
  project: number;
  feature: number;
  environments: Environment[];
  current: string;
  base: string;
}) {
  const [message, setMessage] = useState('');
  return (
    <section class="card" aria-labelledby="everywhere-heading">
      <h2 id="everywhere-heading">In every environment</h2>
      <table class="table side-by-side">
        <caption class="visually-hidden">This feature in every environment</caption>
        <thead>
          <tr>
            <th scope="col">Environment</th>
            <th scope="col">Enabled</th>
            <th scope="col">Value</th>
            <th scope="col">Segment overrides</th>
          </tr>
        </thead>
        <tbody>
          {environments.map((e) => (
            <Row
              key={e.api_key}
              project={project}
              feature={feature}
              environment={e}
              current={e.api_key === current}
              base={base}
              onMessage={setMessage}
            />
          ))}
        </tbody>
      </table>
      <p class="visually-hidden" role="status">
        {message}
      </p>
    </section>
  );
}
