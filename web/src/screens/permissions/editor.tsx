// The grants on one target: each person's and group's boxes, and a form to give someone access.
import { useState } from 'preact/hooks';
import { invalidate } from '../../api/cache';
import {
  adminKeys,
  grantCalls,
  useGrants,
  useGroups,
  useMembers,
  usePermissionKeys,
  type Grant,
  type Target,
} from '../../api/admin';
import { ConfirmDialog } from '../../components/confirm-delete';
import { FormError, Notice } from '../../components/field';
import { useSubmit } from '../../components/form';
import { personName } from '../people/members';
import { GrantChecks, GrantForm, valuesOf, type GrantValues } from './grant-form';

type Who = 'user' | 'group';
interface Row {
  who: Who;
  grant: Grant;
  name: string;
}

export function GrantsEditor({ organisation, target, where }: { organisation: number; target: Target; where: string }) {
  const keys = usePermissionKeys(target.level);
  const userGrants = useGrants(target, 'user');
  const groupGrants = useGrants(target, 'group');
  const members = useMembers(organisation);
  const groups = useGroups(organisation);
  const [message, setMessage] = useState('');
  const [removing, setRemoving] = useState<Row | null>(null);

  const refresh = (who: Who) => invalidate(adminKeys.grants(target, who));
  const memberName = (id: number | null | undefined) => {
    const m = members.data?.find((x) => x.id === id);
    return m ? personName(m) : `User ${id}`;
  };
  const groupName = (id: number | null | undefined) =>
    `Group ${groups.data?.find((g) => g.id === id)?.name ?? id}`;
  const rows: Row[] = [...(userGrants.data ?? []), ...(groupGrants.data ?? [])].map((grant) =>
    'user' in grant
      ? { who: 'user' as const, grant, name: personName(grant.user) }
      : { who: 'group' as const, grant, name: `Group ${grant.group.name}` },
  );
  const freeMembers = (members.data ?? []).filter(
    (m) => !userGrants.data?.some((g) => 'user' in g && g.user.id === m.id),
  );
  const freeGroups = (groups.data ?? []).filter(
    (x) => !groupGrants.data?.some((g) => 'group' in g && g.group.id === x.id),
  );

  const add = useSubmit(async (v, form) => {
    const [who, id] = (v.grantee ?? '').split(':');
    if (!id) return;
    const values = valuesOf(v);
    await grantCalls(target, who as Who).create(
      who === 'user' ? { ...values, user: Number(id) } : { ...values, group: Number(id) },
    );
    form.reset();
    await refresh(who as Who);
    setMessage(`${who === 'user' ? memberName(Number(id)) : groupName(Number(id))} now has access to ${where}.`);
  });

  const save = async (row: Row, values: GrantValues) => {
    await grantCalls(target, row.who).update(row.grant.id, values);
    await refresh(row.who);
    setMessage(`Saved the permissions of ${row.name}.`);
  };
  const remove = async () => {
    if (!removing) return;
    await grantCalls(target, removing.who).remove(removing.grant.id);
    setMessage(`${removing.name} no longer has access to ${where}.`);
    setRemoving(null);
    await refresh(removing.who);
  };

  const error = keys.error ?? userGrants.error ?? groupGrants.error ?? members.error;
  if (error) return <Notice>{error.message}</Notice>;
  if (!keys.data || !userGrants.data || !groupGrants.data) return <p class="loading">Loading permissions…</p>;
  const prefix = `${target.level}-${target.id}`;
  return (
    <section aria-labelledby="grants">
      <h2 id="grants">Access to {where}</h2>
      <p class="status" role="status">
        {message}
      </p>
      {rows.length === 0 && <p>Nobody has been granted anything here yet.</p>}
      <div class="grants">
        {rows.map((row) => (
          <GrantForm
            key={`${row.who}-${row.grant.id}-${row.grant.admin}-${row.grant.permissions.join(',')}`}
            level={target.level}
            keys={keys.data ?? []}
            grant={row.grant}
            who={row.name}
            idPrefix={`${prefix}-${row.who}-${row.grant.id}`}
            onSave={(values) => save(row, values)}
            onRemove={() => setRemoving(row)}
          />
        ))}
      </div>
      {(freeMembers.length > 0 || freeGroups.length > 0) && (
        <form class="card grant" onSubmit={add.onSubmit} noValidate aria-labelledby="give-access">
          <h3 id="give-access">Give access</h3>
          <div class="field">
            <label for="grant-grantee">Person or group</label>
            <select id="grant-grantee" name="grantee">
              {freeMembers.length > 0 && (
                <optgroup label="People">
                  {freeMembers.map((m) => (
                    <option key={m.id} value={`user:${m.id}`}>
                      {personName(m)}
                      {personName(m) !== m.email ? ` (${m.email})` : ''}
                    </option>
                  ))}
                </optgroup>
              )}
              {freeGroups.length > 0 && (
                <optgroup label="Groups">
                  {freeGroups.map((g) => (
                    <option key={g.id} value={`group:${g.id}`}>
                      {g.name}
                    </option>
                  ))}
                </optgroup>
              )}
            </select>
          </div>
          <fieldset>
            <legend>Permissions</legend>
            <GrantChecks level={target.level} keys={keys.data} idPrefix={`${prefix}-new`} />
          </fieldset>
          <FormError error={add.error} fields={[]} />
          <div class="actions">
            <button type="submit" class="button primary" disabled={add.busy}>
              Grant access
            </button>
          </div>
        </form>
      )}
      <ConfirmDialog
        open={removing !== null}
        title="Remove access"
        action="Remove access"
        onConfirm={remove}
        onClose={() => setRemoving(null)}
      >
        <p>
          {removing?.name} loses the permissions granted here on {where}. Other grants (the organisation role, groups)
          stay.
        </p>
      </ConfirmDialog>
    </section>
  );
}
