// An organisation's members: their role (administrator or user), and removing them.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { invalidate } from '../../api/cache';
import { adminKeys, useMembers, type Member } from '../../api/admin';
import { useMe } from '../../api/resources';
import { ConfirmDialog } from '../../components/confirm-delete';
import { Notice } from '../../components/field';

export const personName = (m: Pick<Member, 'email' | 'first_name' | 'last_name'>) =>
  `${m.first_name} ${m.last_name}`.trim() || m.email;

export function Members({ organisation, isAdmin }: { organisation: number; isAdmin: boolean }) {
  const members = useMembers(organisation);
  const me = useMe();
  const [message, setMessage] = useState('');
  const [removing, setRemoving] = useState<Member | null>(null);

  const setRole = async (member: Member, role: 'ADMIN' | 'USER') => {
    try {
      await ok(
        api.POST('/api/v1/organisations/{id}/users/{user_id}/update-role/', {
          params: { path: { id: organisation, user_id: member.id } },
          body: { role },
        }),
      );
      setMessage(`${personName(member)} is now ${role === 'ADMIN' ? 'an administrator' : 'a user'}.`);
    } catch (e) {
      setMessage(`Could not change the role of ${personName(member)}: ${(e as Error).message}`);
    }
    await invalidate(adminKeys.members(organisation));
  };

  const remove = async () => {
    if (!removing) return;
    await ok(
      api.POST('/api/v1/organisations/{id}/remove-users/', {
        params: { path: { id: organisation } },
        body: [{ id: removing.id }],
      }),
    );
    setMessage(`${personName(removing)} is removed from the organisation.`);
    setRemoving(null);
    await invalidate(adminKeys.members(organisation));
  };

  return (
    <section aria-labelledby="members">
      <h2 id="members">Members</h2>
      {members.error && <Notice>{members.error.message}</Notice>}
      {members.loading && <p class="loading">Loading members…</p>}
      {members.data && (
        <table class="table">
          <caption class="visually-hidden">Members</caption>
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">Role</th>
              <th scope="col">Last login</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.data.map((m) => {
              const self = m.id === me.data?.id;
              return (
                <tr key={m.id}>
                  <th scope="row" class="person">
                    <span class="person-name">{personName(m)}</span>
                    {personName(m) !== m.email && <span class="muted">{m.email}</span>}
                    {self && <span class="badge">You</span>}
                  </th>
                  <td>
                    <label class="visually-hidden" for={`role-${m.id}`}>
                      Role of {m.email}
                    </label>
                    <select
                      id={`role-${m.id}`}
                      value={m.role}
                      disabled={!isAdmin || self}
                      onChange={(e) => void setRole(m, e.currentTarget.value as 'ADMIN' | 'USER')}
                    >
                      <option value="ADMIN">Administrator</option>
                      <option value="USER">User</option>
                    </select>
                  </td>
                  <td class="muted">{m.last_login ? new Date(m.last_login).toLocaleString() : 'Never'}</td>
                  <td class="row-actions">
                    {isAdmin && !self && (
                      <button type="button" class="button quiet small" onClick={() => setRemoving(m)}>
                        Remove<span class="visually-hidden"> {m.email}</span>
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p class="status" role="status">
        {message}
      </p>
      <ConfirmDialog
        open={removing !== null}
        title="Remove member"
        action="Remove member"
        onConfirm={remove}
        onClose={() => setRemoving(null)}
      >
        <p>
          {removing && personName(removing)} loses access to this organisation, its projects and its groups. They can
          be invited again.
        </p>
      </ConfirmDialog>
    </section>
  );
}
