// Server state of the keys, audit log and usage screens, each under its URL as cache key.
import { useEffect } from 'preact/hooks';
import { api, ok, type Schemas } from './client';
import { invalidate, useResource } from './cache';

export type ServerKey = Schemas['ServerKeyOut'];
export type OrganisationKey = Schemas['ApiKeyOut'];
export type AuditEntry = Schemas['AuditLogOut'];
export type AuditPage = Schemas['Paginated_AuditLogOut'];
export type Evaluation = Schemas['EvaluationOut'];

export const AUDIT_PAGE_SIZE = 50;

export interface AuditQuery {
  organisation: number;
  /** null: the whole organisation's log. */
  project: number | null;
  environment: number | null;
  search: string;
  page: number;
}

export const keyKeys = {
  server: (environment: string) => `/api/v1/environments/${environment}/api-keys/`,
  organisation: (organisation: number) => `/api/v1/organisations/${organisation}/master-api-keys/`,
  audit: (q: AuditQuery) => {
    const query = new URLSearchParams({ page: String(q.page), page_size: String(AUDIT_PAGE_SIZE) });
    if (q.environment !== null) query.set('environments', String(q.environment));
    if (q.search) query.set('search', q.search);
    const base = q.project === null ? `/api/v1/organisations/${q.organisation}` : `/api/v1/projects/${q.project}`;
    return `${base}/audit/?${query.toString()}`;
  },
  evaluations: (project: number, feature: number, environment: number, period: string) =>
    `/api/v1/projects/${project}/features/${feature}/evaluation-data/?environment_id=${environment}&period=${period}`,
};

/** Drops cached values under `prefix` when a screen opens, so logs and counts are never stale. */
export function useFreshOnOpen(prefix: string | null): void {
  useEffect(() => {
    if (prefix !== null) void invalidate(prefix);
  }, [prefix]);
}

export const useServerKeys = (environment: string) =>
  useResource(keyKeys.server(environment), () =>
    ok(api.GET('/api/v1/environments/{api_key}/api-keys/', { params: { path: { api_key: environment } } })),
  );

export const useOrganisationKeys = (organisation: number) =>
  useResource(keyKeys.organisation(organisation), async () => {
    // One page (the API takes no page parameter here and pages by 999).
    const body = await ok(api.GET('/api/v1/organisations/{id}/master-api-keys/', { params: { path: { id: organisation } } }));
    return body.results;
  });

export const useAuditLog = (q: AuditQuery) =>
  useResource(keyKeys.audit(q), () => {
    const query = {
      environments: q.environment === null ? [] : [q.environment],
      search: q.search || undefined,
      page: q.page,
      page_size: AUDIT_PAGE_SIZE,
    };
    return q.project === null
      ? ok(api.GET('/api/v1/organisations/{id}/audit/', { params: { path: { id: q.organisation }, query } }))
      : ok(api.GET('/api/v1/projects/{id}/audit/', { params: { path: { id: q.project }, query } }));
  });

export const useEvaluations = (project: number, feature: number | null, environment: number | null, period: string) =>
  useResource(
    feature === null || environment === null ? null : keyKeys.evaluations(project, feature, environment, period),
    () =>
      ok(
        api.GET('/api/v1/projects/{project}/features/{id}/evaluation-data/', {
          params: { path: { project, id: feature ?? 0 }, query: { environment_id: environment ?? 0, period } },
        }),
      ),
  );
