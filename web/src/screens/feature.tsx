// A feature's own page in one environment: its value and switch here (with the editor for the
// value's kind), its variations and their weights here, settings, tags, owners, the feature in every
// environment side by side, archiving and deleting.
import { useEnvironments } from '../api/resources';
import { useFeature, useFeatureState } from '../api/feature';
import { Notice } from '../components/field';
import { Link } from '../components/link';
import { EnvironmentsCard } from './feature/environments';
import { OptionsCard } from './feature/options';
import { OwnersCard } from './feature/owners';
import { DangerCard, SettingsCard } from './feature/settings';
import { TagsCard } from './feature/tags';
import { ValueCard } from './feature/value';
import { WeightsCard } from './feature/weights';

export function FeatureScreen({
  organisation,
  project,
  environment,
  feature: id,
}: {
  organisation: number;
  project: number;
  environment: string;
  feature: number;
}) {
  const environments = useEnvironments(project);
  const current = environments.data?.find((e) => e.api_key === environment);
  const loaded = useFeature(project, id, current?.id ?? null);
  const state = useFeatureState(environment, id);
  const base = `/organisations/${organisation}/projects/${project}`;
  const list = `${base}/environments/${environment}/features`;
  const feature = loaded.data;

  if (environments.data && !current) return <Notice>This project has no environment with that key.</Notice>;
  const error = loaded.error ?? environments.error;
  if (error) {
    return (
      <>
        <p>
          <Link to={list}>All features</Link>
        </p>
        <Notice>{error.status === 404 ? 'There is no such feature in this project.' : error.message}</Notice>
      </>
    );
  }
  if (!feature || !current) return <p class="loading">Loading the feature…</p>;
  return (
    <>
      <p class="back">
        <Link to={list}>All features in {current.name}</Link>
      </p>
      <div class="page-head">
        <h1>
          <span class="feature-title">{feature.name}</span>
          <span class="subtitle"> in {current.name}</span>
        </h1>
        {feature.is_archived && <span class="badge">Archived</span>}
      </div>
      {feature.description && <p class="lead">{feature.description}</p>}
      <div class="feature-page">
        <ValueCard key={`value-${feature.environment_feature_state?.id}`} feature={feature} environment={current} />
        <OptionsCard feature={feature} environmentKey={environment} />
        {state.data && (
          <WeightsCard
            key={`weights-${feature.multivariate_options.map((o) => o.id).join()}`}
            feature={feature}
            environment={current}
            state={state.data}
          />
        )}
        <SettingsCard feature={feature} />
        <TagsCard feature={feature} />
        <OwnersCard organisation={organisation} feature={feature} />
        {environments.data && (
          <EnvironmentsCard project={project} feature={id} environments={environments.data} current={environment} base={base} />
        )}
        <DangerCard feature={feature} back={list} />
      </div>
    </>
  );
}
