// The server state a feature's own page reads: the feature as one environment sees it, its full
// state there (with the multivariate weights), the project (its naming rules) and its tags.
import { api, ok, type Schemas } from './client';
import { useResource } from './cache';

export type Tag = Schemas['TagOut'];
export type MvOption = Schemas['NestedMvOptionOut'];
export type FeatureState = Schemas['FeatureStateListOut'];
export type ProjectDetail = Schemas['ProjectDetailOut'];

export const featureKeys = {
  /** Under the prefix the features list uses, so invalidating the list's prefix refreshes these too. */
  feature: (project: number, feature: number, environment: number) =>
    `/api/v1/projects/${project}/features/${feature}/?environment=${environment}`,
  state: (environmentKey: string, feature: number) =>
    `/api/v1/environments/${environmentKey}/featurestates/?feature=${feature}`,
  project: (project: number) => `/api/v1/projects/${project}/`,
  tags: (project: number) => `/api/v1/projects/${project}/tags/`,
};

/** One feature with its state in one environment (and that environment's override count). */
export const useFeature = (project: number, feature: number, environment: number | null) =>
  useResource(environment === null ? null : featureKeys.feature(project, feature, environment), () =>
    ok(
      api.GET('/api/v1/projects/{project}/features/{id}/', {
        params: { path: { project, id: feature }, query: { environment: environment ?? undefined } },
      }),
    ),
  );

/** The environment default state in full: value, enabled and the multivariate weights. */
export const useFeatureState = (environmentKey: string, feature: number) =>
  useResource(featureKeys.state(environmentKey, feature), async () => {
    const body = await ok(
      api.GET('/api/v1/environments/{api_key}/featurestates/', {
        params: { path: { api_key: environmentKey }, query: { feature } },
      }),
    );
    return body.results[0] ?? null;
  });

export const useProject = (project: number | null) =>
  useResource(project === null ? null : featureKeys.project(project), () =>
    ok(api.GET('/api/v1/projects/{id}/', { params: { path: { id: project ?? 0 } } })),
  );

/** The project's tags (one page of 999 holds them all). */
export const useTags = (project: number) =>
  useResource(featureKeys.tags(project), async () => {
    const body = await ok(api.GET('/api/v1/projects/{project}/tags/', { params: { path: { project } } }));
    return body.results;
  });
