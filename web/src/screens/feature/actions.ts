// Writes the feature page shares: the enabled switch of one environment (from the value card or
// the side-by-side table) and refreshing everything that shows a feature after a change.
import { api, ok } from '../../api/client';
import { invalidate, update } from '../../api/cache';
import { featureKeys } from '../../api/feature';
import type { Feature } from '../../api/resources';

/** Refetches every cached view of the project's features (the list, this page, other environments). */
export function refreshFeatures(project: number, environmentKey?: string): Promise<void> {
  return Promise.all([
    invalidate(`/api/v1/projects/${project}/features/`),
    environmentKey ? invalidate(`/api/v1/environments/${environmentKey}/featurestates/`) : Promise.resolve(),
  ]).then(() => undefined);
}

function setEnabled(key: string, on: boolean) {
  update<Feature>(key, (f) =>
    f.environment_feature_state ? { ...f, environment_feature_state: { ...f.environment_feature_state, enabled: on } } : f,
  );
}

/** Turns the feature on or off in one environment: shown at once, undone if the call fails. */
export async function switchFeature(
  feature: Feature,
  environment: { id: number; api_key: string },
  on: boolean,
): Promise<void> {
  const state = feature.environment_feature_state;
  if (!state) return;
  const key = featureKeys.feature(feature.project, feature.id, environment.id);
  setEnabled(key, on);
  try {
    await ok(
      api.PATCH('/api/v1/environments/{api_key}/featurestates/{id}/', {
        params: { path: { api_key: environment.api_key, id: state.id } },
        body: { enabled: on },
      }),
    );
  } catch (e) {
    setEnabled(key, !on);
    throw e;
  }
  await refreshFeatures(feature.project, environment.api_key);
}
