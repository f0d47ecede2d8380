// The identities screens' server state: an environment's identities (searched, paged) and one
// identity's traits, effective flags and overrides, each under its URL as the cache key.
import { allPages, api, ok, type Schemas } from './client';
import { useResource } from './cache';

export type Identity = Schemas['IdentityOut'];
export type Trait = Schemas['TraitOut'];
export type IdentityFlag = Schemas['IdentityFlagOut'];
export type Override = Schemas['FeatureStateListOut'];

export const IDENTITIES_PAGE_SIZE = 20;

const root = (environment: string) => `/api/v1/environments/${environment}/identities/`;

export const identityKeys = {
  /** Everything about an environment's identities: invalidate it after creating or deleting one. */
  all: root,
  page: (environment: string, q: string, page: number) =>
    `${root(environment)}?q=${encodeURIComponent(q)}&page=${page}&page_size=${IDENTITIES_PAGE_SIZE}`,
  /** One identity, and the prefix of its traits and states: invalidate it after any change to them. */
  one: (environment: string, id: number) => `${root(environment)}${id}/`,
  traits: (environment: string, id: number) => `${root(environment)}${id}/traits/`,
  overrides: (environment: string, id: number) => `${root(environment)}${id}/featurestates/`,
  flags: (environment: string, id: number) => `${root(environment)}${id}/featurestates/all/`,
};

export const useIdentityPage = (environment: string, q: string, page: number) =>
  useResource(identityKeys.page(environment, q, page), () =>
    ok(
      api.GET('/api/v1/environments/{api_key}/identities/', {
        params: {
          path: { api_key: environment },
          query: { q: q || undefined, page, page_size: IDENTITIES_PAGE_SIZE },
        },
      }),
    ),
  );

export const useIdentity = (environment: string, id: number) =>
  useResource(identityKeys.one(environment, id), () =>
    ok(api.GET('/api/v1/environments/{api_key}/identities/{id}/', { params: { path: { api_key: environment, id } } })),
  );

/** The identity's traits (the endpoint takes no page parameter: the first page is all there is to ask for). */
export const useTraits = (environment: string, id: number) =>
  useResource(identityKeys.traits(environment, id), () =>
    ok(
      api.GET('/api/v1/environments/{api_key}/identities/{id}/traits/', {
        params: { path: { api_key: environment, id } },
      }),
    ),
  );

/** Every feature as this identity gets it, with where its state comes from. */
export const useIdentityFlags = (environment: string, id: number) =>
  useResource(identityKeys.flags(environment, id), () =>
    ok(
      api.GET('/api/v1/environments/{api_key}/identities/{identity}/featurestates/all/', {
        params: { path: { api_key: environment, identity: id } },
      }),
    ),
  );

/** The identity's own overrides (their ids, to edit or remove them). */
export const useOverrides = (environment: string, id: number) =>
  useResource(identityKeys.overrides(environment, id), () => {
    const query = (page: number) => ({
      params: { path: { api_key: environment, identity: id }, query: { page } },
    });
    return allPages(
      () => api.GET('/api/v1/environments/{api_key}/identities/{identity}/featurestates/', query(1)),
      (page) => api.GET('/api/v1/environments/{api_key}/identities/{identity}/featurestates/', query(page)),
    );
  });
