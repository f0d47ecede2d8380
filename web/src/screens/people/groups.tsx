// An organisation's groups: create, rename, delete; add and remove members; make a member the
// group's admin (who may then manage it).
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { invalidate } from '../../api/cache';
import { adminKeys, useGroupsWithMembers, useMembers, type Group, type Member } from '../../api/admin';
import { ConfirmDialog } from '../../components/confirm-delete';
import { Check, Field, FormError, Notice } from '../../components/field';
import { useSubmit } from '../../components/form';
import { personName } from './members';

function GroupCard({
  organisation,
  group,
  members,
  onMessage,
  onDelete,
}: {
  organisation: number;
  group: Group;
  members: Member[];
  onMessage: (text: string) => void;
  onDelete: (group: Group) => void;
}) {
  const refresh = () => invalidate(adminKeys.groups(organisation));
  const path = { org: organisation, id: group.id };
  const byId = new Map(members.map((m) => [m.id, m]));
  const outside = members.filter((m) => !group.users.some((u) => u.id === m.id));
  const prefix = `group-${group.id}`;

  const rename = useSubmit(async (v) => {
    await ok(api.PATCH('/api/v1/organisations/{org}/groups/{id}/', { params: { path }, body: { name: v.name } }));
    await refresh();
    onMessage(`The group is now called ${v.name}.`);
  });
  const add = useSubmit(async (v) => {
    if (!v.user) return;
    await ok(
      api.POST('/api/v1/organisations/{org}/groups/{id}/add-users/', {
        params: { path },
        body: { user_ids: [Number(v.user)] },
      }),
    );
    await refresh();
    onMessage(`${personName(byId.get(Number(v.user)) ?? { email: v.user, first_name: '', last_name: '' })} joined ${group.name}.`);
  });
  const act = async (text: string, call: () => Promise<unknown>) => {
    try {
      await call();
      onMessage(text);
    } catch (e) {
      onMessage(`Could not change ${group.name}: ${(e as Error).message}`);
    }
    await refresh();
  };

  return (
    <li class="card group-card">
      <h3>
        {group.name}
        {group.is_default && <span class="badge">New members join it</span>}
      </h3>
      <form class="inline-form" onSubmit={rename.onSubmit} noValidate>
        <Field label="Group name" name="name" idPrefix={prefix} defaultValue={group.name} required error={rename.error} />
        <button type="submit" class="button" disabled={rename.busy}>
          Rename<span class="visually-hidden"> {group.name}</span>
        </button>
      </form>
      <FormError error={rename.error} fields={['name']} />
      {group.users.length === 0 ? (
        <p class="muted">No members yet.</p>
      ) : (
        <ul class="member-list" aria-label={`Members of ${group.name}`}>
          {group.users.map((u) => {
            const who = byId.get(u.id);
            const label = who ? personName(who) : `User ${u.id}`;
            return (
              <li key={u.id}>
                <span class="grow">
                  {label}
                  {u.group_admin && <span class="badge">Group admin</span>}
                </span>
                <button
                  type="button"
                  class="button quiet small"
                  onClick={() =>
                    void act(
                      u.group_admin ? `${label} is no longer an admin of ${group.name}.` : `${label} is an admin of ${group.name}.`,
                      () =>
                        ok(
                          api.POST(
                            u.group_admin
                              ? '/api/v1/organisations/{org}/groups/{id}/users/{user}/remove-admin/'
                              : '/api/v1/organisations/{org}/groups/{id}/users/{user}/make-admin/',
                            { params: { path: { ...path, user: u.id } } },
                          ),
                        ),
                    )
                  }
                >
                  {u.group_admin ? 'Remove group admin' : 'Make group admin'}
                  <span class="visually-hidden"> for {label}</span>
                </button>
                <button
                  type="button"
                  class="button quiet small"
                  onClick={() =>
                    void act(`${label} left ${group.name}.`, () =>
                      ok(
                        api.POST('/api/v1/organisations/{org}/groups/{id}/remove-users/', {
                          params: { path },
                          body: { user_ids: [u.id] },
                        }),
                      ),
                    )
                  }
                >
                  Remove<span class="visually-hidden"> {label} from {group.name}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div class="group-foot">
        {outside.length > 0 && (
          <form class="inline-form" onSubmit={add.onSubmit} noValidate>
            <div class="field">
              <label for={`${prefix}-user`}>Add a member to {group.name}</label>
              <select id={`${prefix}-user`} name="user">
                {outside.map((m) => (
                  <option key={m.id} value={String(m.id)}>
                    {personName(m)}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" class="button" disabled={add.busy}>
              Add<span class="visually-hidden"> to {group.name}</span>
            </button>
          </form>
        )}
        <button type="button" class="button danger-quiet" onClick={() => onDelete(group)}>
          Delete group<span class="visually-hidden"> {group.name}</span>
        </button>
      </div>
      <FormError error={add.error} fields={[]} />
    </li>
  );
}

export function Groups({ organisation }: { organisation: number }) {
  const groups = useGroupsWithMembers(organisation);
  const members = useMembers(organisation);
  const [message, setMessage] = useState('');
  const [deleting, setDeleting] = useState<Group | null>(null);
  const create = useSubmit(async (v, form) => {
    await ok(
      api.POST('/api/v1/organisations/{org}/groups/', {
        params: { path: { org: organisation } },
        body: { name: v.name, is_default: v.is_default === 'on' },
      }),
    );
    form.reset();
    await invalidate(adminKeys.groups(organisation));
    setMessage(`Group ${v.name} created.`);
  });
  const remove = async () => {
    if (!deleting) return;
    await ok(
      api.DELETE('/api/v1/organisations/{org}/groups/{id}/', {
        params: { path: { org: organisation, id: deleting.id } },
      }),
    );
    setMessage(`Group ${deleting.name} deleted.`);
    setDeleting(null);
    await invalidate(adminKeys.groups(organisation));
  };
  return (
    <section aria-labelledby="groups">
      <h2 id="groups">Groups</h2>
      <p class="muted">Grant permissions to a group once instead of to each person.</p>
      {groups.error && <Notice>{groups.error.message}</Notice>}
      <p class="status" role="status">
        {message}
      </p>
      {groups.data && members.data && groups.data.length > 0 && (
        <ul class="group-list">
          {groups.data.map((g) => (
            <GroupCard
              key={g.id}
              organisation={organisation}
              group={g}
              members={members.data ?? []}
              onMessage={setMessage}
              onDelete={setDeleting}
            />
          ))}
        </ul>
      )}
      <form class="card" onSubmit={create.onSubmit} noValidate aria-labelledby="new-group">
        <h3 id="new-group">New group</h3>
        <div class="inline-form">
          <Field label="Name" name="name" idPrefix="new-group" required autoComplete="off" error={create.error} />
          <button type="submit" class="button primary" disabled={create.busy}>
            Create group
          </button>
        </div>
        <Check label="New members of the organisation join this group" name="is_default" idPrefix="new-group" />
        <FormError error={create.error} fields={['name']} />
      </form>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete group"
        action="Delete group"
        onConfirm={remove}
        onClose={() => setDeleting(null)}
      >
        <p>
          The group {deleting?.name} and the permissions granted to it go; its members stay in the organisation.
        </p>
      </ConfirmDialog>
    </section>
  );
}
