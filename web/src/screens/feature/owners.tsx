// The feature's owners: members and groups of the organisation who answer for it, added from
// a picker and taken off one by one.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { useGroups, useMembers } from '../../api/admin';
import type { Feature } from '../../api/resources';
import { FormError } from '../../components/field';
import { Select } from '../../components/field-more';
import { useSubmit } from '../../components/form';
import { refreshFeatures } from './actions';

type Owner = { kind: 'user' | 'group'; id: number; name: string };

/** Adds or removes one owner; the answer is the feature, refetched everywhere it shows. */
async function change(feature: Feature, owner: Pick<Owner, 'kind' | 'id'>, adding: boolean) {
  const path = { project: feature.project, id: feature.id };
  if (owner.kind === 'user') {
    const body = { user_ids: [owner.id] };
    await ok(
      adding
        ? api.POST('/api/v1/projects/{project}/features/{id}/add-owners/', { params: { path }, body })
        : api.POST('/api/v1/projects/{project}/features/{id}/remove-owners/', { params: { path }, body }),
    );
  } else {
    const body = { group_ids: [owner.id] };
    await ok(
      adding
        ? api.POST('/api/v1/projects/{project}/features/{id}/add-group-owners/', { params: { path }, body })
        : api.POST('/api/v1/projects/{project}/features/{id}/remove-group-owners/', { params: { path }, body }),
    );
  }
  await refreshFeatures(feature.project);
}

export function OwnersCard({ organisation, feature }: { organisation: number; feature: Feature }) {
  const members = useMembers(organisation);
  const groups = useGroups(organisation);
  const [message, setMessage] = useState('');
  const owners: Owner[] = [
    ...feature.owners.map((u) => ({
      kind: 'user' as const,
      id: u.id,
      name: [u.first_name, u.last_name].join(' ').trim() || u.email,
    })),
    ...feature.group_owners.map((g) => ({ kind: 'group' as const, id: g.id, name: `Group ${g.name}` })),
  ];
  const candidates: Owner[] = [
    ...(members.data ?? [])
      .filter((m) => !feature.owners.some((o) => o.id === m.id))
      .map((m) => ({ kind: 'user' as const, id: m.id, name: [m.first_name, m.last_name].join(' ').trim() || m.email })),
    ...(groups.data ?? [])
      .filter((g) => !feature.group_owners.some((o) => o.id === g.id))
      .map((g) => ({ kind: 'group' as const, id: g.id, name: `Group ${g.name}` })),
  ];
  const add = useSubmit(async (v) => {
    const [kind, id] = (v.owner ?? '').split(':');
    if (kind !== 'user' && kind !== 'group') return;
    await change(feature, { kind, id: Number(id) }, true);
    setMessage('Owner added.');
  });
  const remove = async (owner: Owner) => {
    try {
      await change(feature, owner, false);
      setMessage(`${owner.name} no longer owns this feature.`);
    } catch (e) {
      setMessage(`Could not remove ${owner.name}: ${(e as Error).message}`);
    }
  };
  return (
    <section class="card" aria-labelledby="owners-heading">
      <h2 id="owners-heading">Owners</h2>
      {(members.error ?? groups.error) && <p class="form-error">{(members.error ?? groups.error)?.message}</p>}
      {owners.length === 0 ? (
        <p class="muted">Nobody owns this feature.</p>
      ) : (
        <ul class="tags" aria-label="Owners of this feature">
          {owners.map((o) => (
            <li key={`${o.kind}:${o.id}`}>
              <span class="tag">
                {o.name}
                <button
                  type="button"
                  class="tag-remove"
                  onClick={() => void remove(o)}
                  aria-label={`Remove owner ${o.name}`}
                >
                  ×
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      <p class="visually-hidden" role="status">
        {message}
      </p>
      {candidates.length === 0 && members.data && groups.data && (
        <p class="hint">Every member and group of the organisation owns it already; invite people under People.</p>
      )}
      {candidates.length > 0 && (
        <form class="inline-form" onSubmit={add.onSubmit} noValidate>
          <Select label="Add an owner" name="owner" idPrefix="owners" error={add.error}>
            {candidates.map((c) => (
              <option key={`${c.kind}:${c.id}`} value={`${c.kind}:${c.id}`}>
                {c.name}
              </option>
            ))}
          </Select>
          <button type="submit" class="button" disabled={add.busy}>
            Add owner
          </button>
        </form>
      )}
      <FormError error={add.error} fields={['owner']} />
    </section>
  );
}
