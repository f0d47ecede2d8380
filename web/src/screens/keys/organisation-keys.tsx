// An organisation's API keys ("master API keys", header `Authorization: Api-Key …`): they act
// as an organisation administrator. Create (shown once), revoke, delete.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { invalidate } from '../../api/cache';
import { keyKeys, useOrganisationKeys, type OrganisationKey } from '../../api/keys';
import { useOrganisations } from '../../api/resources';
import { ConfirmDialog } from '../../components/confirm';
import { CopyableCode } from '../../components/copy';
import { Field, FormError, Notice } from '../../components/field';
import { useSubmit } from '../../components/form';
import { expiryFromDate, formatDate } from './format';

function status(key: OrganisationKey): string {
  if (key.revoked) return 'Revoked';
  return key.has_expired ? 'Expired' : 'Active';
}

export function OrganisationKeysScreen({ organisation }: { organisation: number }) {
  const organisations = useOrganisations();
  const keys = useOrganisationKeys(organisation);
  const name = organisations.data?.find((o) => o.id === organisation)?.name;
  const [created, setCreated] = useState<OrganisationKey | null>(null);
  const [revoking, setRevoking] = useState<OrganisationKey | null>(null);
  const [deleting, setDeleting] = useState<OrganisationKey | null>(null);
  const { busy, error, onSubmit } = useSubmit(async (v, form) => {
    const key = await ok(
      api.POST('/api/v1/organisations/{id}/master-api-keys/', {
        params: { path: { id: organisation } },
        body: { name: v.name, expiry_date: expiryFromDate(v.expiry_date) },
      }),
    );
    await invalidate(keyKeys.organisation(organisation));
    form.reset();
    setCreated(key);
  });
  const path = (key: OrganisationKey) => ({ params: { path: { id: organisation, prefix: key.prefix } } });
  const done = () => invalidate(keyKeys.organisation(organisation));
  return (
    <>
      <h1>API keys{name && <span class="subtitle"> of {name}</span>}</h1>
      <p>
        An organisation API key calls the admin API as an organisation administrator, for scripts and CI: send it as{' '}
        <code>Authorization: Api-Key &lt;key&gt;</code>.
      </p>
      {created?.key && (
        <div class="secret" role="status">
          <p>
            <strong>Copy the key “{created.name}” now.</strong> It is not shown again.
          </p>
          <CopyableCode text={created.key} label={`key ${created.name}`} />
          <button type="button" class="button small quiet" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      {keys.error && <Notice>{keys.error.message}</Notice>}
      {keys.data && keys.data.length === 0 && <p>This organisation has no API key yet.</p>}
      {keys.data && keys.data.length > 0 && (
        <table class="table keys">
          <caption class="visually-hidden">Organisation API keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.prefix}>
                <th scope="row">{k.name}</th>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{formatDate(k.created)}</td>
                <td>{k.expiry_date ? formatDate(k.expiry_date) : <span class="muted">Never</span>}</td>
                <td>
                  <span class={`badge ${status(k).toLowerCase()}`}>{status(k)}</span>
                </td>
                <td class="row-actions">
                  {k.revoked ? (
                    <button type="button" class="button small" onClick={() => setDeleting(k)}>
                      Delete<span class="visually-hidden"> {k.name}</span>
                    </button>
                  ) : (
                    <button type="button" class="button small" onClick={() => setRevoking(k)}>
                      Revoke<span class="visually-hidden"> {k.name}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <section class="card" aria-labelledby="new-organisation-key">
        <h2 id="new-organisation-key">New API key</h2>
        <form class="inline-form" onSubmit={onSubmit} noValidate>
          <Field label="Name" name="name" idPrefix="organisation-key" required autoComplete="off" error={error} />
          <Field
            label="Expires on (optional)"
            name="expiry_date"
            idPrefix="organisation-key"
            type="date"
            hint="Empty: never expires."
            error={error}
          />
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create key'}
          </button>
        </form>
        <FormError error={error} fields={['name', 'expiry_date']} />
      </section>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke API key"
        action="Revoke key"
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          await ok(api.PATCH('/api/v1/organisations/{id}/master-api-keys/{prefix}/', { ...path(revoking), body: { revoked: true } }));
          await done();
        }}
      >
        <p>Revoke “{revoking?.name}”? Calls with it get 401 from then on. This cannot be undone.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete API key"
        action="Delete key"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await ok(api.DELETE('/api/v1/organisations/{id}/master-api-keys/{prefix}/', path(deleting)));
          await done();
        }}
      >
        <p>Delete the revoked key “{deleting?.name}” from this list?</p>
      </ConfirmDialog>
    </>
  );
}
