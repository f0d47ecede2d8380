// Server state for the account, settings, people and permissions screens (same cache as resources.ts).
import { api, ok, type Schemas } from './client';
import { useResource } from './cache';

export type Member = Schemas['MemberOut'];
export type Group = Schemas['GroupOut'];
export type Invite = Schemas['InviteOut'];
export type InviteLink = Schemas['InviteLinkOut'];
/** A listed grant: to a user, or to a group (its members by id, or spelled out on environments). */
export type Grant =
  | Schemas['UserGrantListOut']
  | Schemas['GroupIdsGrantListOut']
  | Schemas['GroupGrantListOut'];
export type PermissionKey = Schemas['PermissionKeyOut'];

/** What permissions are granted on: an organisation, a project (by id) or an environment (by key). */
export type Level = 'organisations' | 'projects' | 'environments';
export interface Target {
  level: Level;
  /** The organisation or project id, or the environment's key. */
  id: string;
}

export const adminKeys = {
  members: (org: number) => `/api/v1/organisations/${org}/users/`,
  groups: (org: number) => `/api/v1/organisations/${org}/groups/`,
  invites: (org: number) => `/api/v1/organisations/${org}/invites/`,
  inviteLinks: (org: number) => `/api/v1/organisations/${org}/invite-links/`,
  permissionKeys: (level: Level) => `/api/v1/${level}/permissions/`,
  grants: (t: Target, who: 'user' | 'group') =>
    `/api/v1/${t.level}/${t.id}/${who === 'user' ? 'user-permissions' : 'user-group-permissions'}/`,
};

export const useMembers = (org: number) =>
  useResource(adminKeys.members(org), () =>
    ok(api.GET('/api/v1/organisations/{id}/users/', { params: { path: { id: org } } })),
  );

/** Every group's id and name, for pickers: a bare list, no pages. */
export const useGroups = (org: number) =>
  useResource(`${adminKeys.groups(org)}summaries/`, () =>
    ok(api.GET('/api/v1/organisations/{org}/groups/summaries/', { params: { path: { org } } })),
  );

/** Every group with its members (one page holds them all). */
export const useGroupsWithMembers = (org: number) =>
  useResource(adminKeys.groups(org), async () => {
    const body = await ok(api.GET('/api/v1/organisations/{org}/groups/', { params: { path: { org } } }));
    return body.results;
  });

export const useInvites = (org: number) =>
  useResource(adminKeys.invites(org), async () => {
    const body = await ok(api.GET('/api/v1/organisations/{org}/invites/', { params: { path: { org } } }));
    return body.results;
  });

export const useInviteLinks = (org: number) =>
  useResource(adminKeys.inviteLinks(org), () =>
    ok(api.GET('/api/v1/organisations/{org}/invite-links/', { params: { path: { org } } })),
  );

export const usePermissionKeys = (level: Level) =>
  useResource(adminKeys.permissionKeys(level), () => {
    if (level === 'organisations') return ok(api.GET('/api/v1/organisations/permissions/'));
    if (level === 'projects') return ok(api.GET('/api/v1/projects/permissions/'));
    return ok(api.GET('/api/v1/environments/permissions/'));
  });

/** The grants to users or to groups on one target. */
export const useGrants = (t: Target | null, who: 'user' | 'group') =>
  useResource(t === null ? null : adminKeys.grants(t, who), () => grantCalls(t as Target, who).list());

/** The grant calls for one target. The six grant routes (three levels, users or groups) have the same
 * parameters and bodies, so they go through one typed path with the real prefix put in. */
export function grantCalls(t: Target, who: 'user' | 'group') {
  const list = '/api/v1/projects/{target}/user-permissions/' as const;
  const groupList = '/api/v1/projects/{target}/user-group-permissions/' as const;
  const one = '/api/v1/projects/{target}/user-permissions/{id}/' as const;
  const real = (path: string) =>
    path
      .replace('/projects/', `/${t.level}/`)
      .replace(/user-(group-)?permissions/, who === 'user' ? 'user-permissions' : 'user-group-permissions');
  // openapi-fetch builds the URL from the path it is given; `real` swaps in this target's route.
  const at = <P extends string>(path: P) => real(path) as P;
  const target = { target: t.id };
  return {
    list: (): Promise<Grant[]> =>
      who === 'user'
        ? ok(api.GET(at(list), { params: { path: target } }))
        : ok(api.GET(at(groupList), { params: { path: target } })),
    // A user's grant and a group's have different bodies, so each is typed by its own route.
    create: (body: Schemas['UserGrantIn'] | Schemas['GroupGrantIn']) =>
      'user' in body
        ? ok(api.POST(at(list), { params: { path: target }, body }))
        : ok(api.POST(at(groupList), { params: { path: target }, body })),
    update: (id: number, body: Schemas['GrantUpdate']) =>
      ok(api.PATCH(at(one), { params: { path: { ...target, id } }, body })),
    remove: (id: number) => ok(api.DELETE(at(one), { params: { path: { ...target, id } } })),
  };
}
