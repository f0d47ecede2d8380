// The server state screens read, each under one cache key (its URL), with its loader.
import { allPages, api, ok, type Schemas } from './client';
import { useResource } from './cache';

export type Organisation = Schemas['OrganisationOut'];
export type Project = Schemas['ProjectOut'];
export type Environment = Schemas['EnvironmentOut'];
export type Feature = Schemas['FeatureOut'];
export type User = Schemas['CurrentUser'];

export const keys = {
  me: '/api/v1/auth/users/me/',
  organisations: '/api/v1/organisations/',
  projects: (organisation: number) => `/api/v1/projects/?organisation=${organisation}`,
  environments: (project: number) => `/api/v1/environments/?project=${project}`,
  features: (project: number, environment: number) =>
    `/api/v1/projects/${project}/features/?environment=${environment}`,
};

export const useMe = () => useResource(keys.me, () => ok(api.GET('/api/v1/auth/users/me/')));

export const useOrganisations = () =>
  useResource(keys.organisations, async () => (await ok(api.GET('/api/v1/organisations/'))).results);

export const useProjects = (organisation: number | null) =>
  useResource(organisation === null ? null : keys.projects(organisation), () =>
    ok(api.GET('/api/v1/projects/', { params: { query: { organisation: organisation ?? undefined } } })),
  );

export const useEnvironments = (project: number | null) =>
  useResource(project === null ? null : keys.environments(project), async () => {
    // One page holds 999, far more environments than a project has.
    const body = await ok(api.GET('/api/v1/environments/', { params: { query: { project: project ?? 0 } } }));
    return body.results;
  });

/** Every feature of a project with its state in one environment (embedded, so no per-row calls). */
export const useFeatures = (project: number, environment: number | null) =>
  useResource(environment === null ? null : keys.features(project, environment), () => {
    const query = (page: number) => ({
      params: {
        path: { project },
        query: {
          environment: environment ?? undefined,
          page_size: 999,
          page,
          sort_field: 'name' as const,
          sort_direction: 'ASC' as const,
        },
      },
    });
    return allPages(
      () => api.GET('/api/v1/projects/{project}/features/', query(1)),
      (page) => api.GET('/api/v1/projects/{project}/features/', query(page)),
    );
  });
