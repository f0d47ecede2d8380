// Segments and segment overrides: their cache keys, loaders, and the typed value a state is
// written with.
import { allPages, api, ok, type Schemas } from './client';
import { useResource } from './cache';

export type Segment = Schemas['SegmentOut'];
/** A rule as answered: top-level rules hold nested ones, which hold conditions only. */
export type Rule = Schemas['RuleOut'] | Schemas['NestedRuleOut'];
export type FeatureSegment = Schemas['FeatureSegmentListOut'];
export type TypedValue = Schemas['TypedValue'];

export const segmentKeys = {
  /** Every key under a project's segments (invalidate after a write). */
  segments: (project: number) => `/api/v1/projects/${project}/segments/`,
  list: (project: number) => `/api/v1/projects/${project}/segments/?page_size=999`,
  one: (project: number, id: number) => `/api/v1/projects/${project}/segments/${id}/`,
  /** The project's features with this segment's override in one environment. */
  features: (project: number, environment: number, segment: number) =>
    `/api/v1/projects/${project}/features/?environment=${environment}&segment=${segment}`,
  /** Every key under the segment-override lists. */
  featureSegments: '/api/v1/features/feature-segments/',
  order: (environment: number, feature: number) =>
    `/api/v1/features/feature-segments/?environment=${environment}&feature=${feature}`,
};

export const useSegments = (project: number) =>
  useResource(segmentKeys.list(project), () => {
    const query = (page: number) => ({
      params: { path: { project }, query: { page_size: 999, page } },
    });
    return allPages(
      () => api.GET('/api/v1/projects/{project}/segments/', query(1)),
      (page) => api.GET('/api/v1/projects/{project}/segments/', query(page)),
    );
  });

export const useSegment = (project: number, id: number | null) =>
  useResource(id === null ? null : segmentKeys.one(project, id), () =>
    ok(api.GET('/api/v1/projects/{project}/segments/{id}/', { params: { path: { project, id: id ?? 0 } } })),
  );

/** Every feature of the project, each with `segment_feature_state` set where the segment overrides it. */
export const useSegmentFeatures = (project: number, environment: number | null, segment: number | null) =>
  useResource(
    environment === null || segment === null ? null : segmentKeys.features(project, environment, segment),
    () => {
      const query = (page: number) => ({
        params: {
          path: { project },
          query: {
            environment: environment ?? undefined,
            segment: segment ?? undefined,
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
    },
  );

/** One feature's segment overrides in one environment, strongest first. */
export const useOverrideOrder = (environment: number, feature: number | null) =>
  useResource(feature === null ? null : segmentKeys.order(environment, feature), async () => {
    const query = (page: number) => ({
      params: { query: { environment, feature: feature ?? 0, page } },
    });
    const all = await allPages(
      () => api.GET('/api/v1/features/feature-segments/', query(1)),
      (page) => api.GET('/api/v1/features/feature-segments/', query(page)),
    );
    return all.sort((a, b) => a.priority - b.priority);
  });

/**
 * A value typed in a text box as the API stores it: a whole number (32-bit) as an integer,
 * `true`/`false` as a boolean, anything else as text, as Flagsmith's dashboard types it.
 */
export function typedValue(text: string): TypedValue {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    if (n >= -2147483648 && n <= 2147483647) return { type: 'int', integer_value: n };
  }
  if (text === 'true' || text === 'false') return { type: 'bool', boolean_value: text === 'true' };
  return { type: 'unicode', string_value: text };
}
