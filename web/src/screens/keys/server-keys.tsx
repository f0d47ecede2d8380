// An environment's server-side keys (ser.…): create with an optional expiry, see the new key
// once, revoke (deactivate) and delete.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { invalidate } from '../../api/cache';
import { keyKeys, useServerKeys, type ServerKey } from '../../api/keys';
import { ConfirmDialog } from '../../components/confirm';
import { CopyableCode } from '../../components/copy';
import { Field, FormError, Notice } from '../../components/field';
import { useSubmit } from '../../components/form';
import { expiryFromDate, formatDate, maskKey } from './format';

function status(key: ServerKey): string {
  if (!key.active) return 'Revoked';
  if (key.expires_at && new Date(key.expires_at).getTime() < Date.now()) return 'Expired';
  return 'Active';
}

export function ServerKeys({ environment }: { environment: string }) {
  const keys = useServerKeys(environment);
  const [created, setCreated] = useState<ServerKey | null>(null);
  const [revoking, setRevoking] = useState<ServerKey | null>(null);
  const [deleting, setDeleting] = useState<ServerKey | null>(null);
  const { busy, error, onSubmit } = useSubmit(async (v, form) => {
    const key = await ok(
      api.POST('/api/v1/environments/{api_key}/api-keys/', {
        params: { path: { api_key: environment } },
        body: { name: v.name, expires_at: expiryFromDate(v.expires_at) },
      }),
    );
    await invalidate(keyKeys.server(environment));
    form.reset();
    setCreated(key);
  });
  const path = (key: ServerKey) => ({ params: { path: { api_key: environment, id: key.id } } });
  return (
    <section class="card" aria-labelledby="server-keys-heading">
      <h2 id="server-keys-heading">Server-side keys</h2>
      <p class="hint">
        For backends only: a server-side key can download the whole environment for local evaluation. Never ship it to
        a browser or an app.
      </p>
      {created && (
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
      {keys.data && keys.data.length === 0 && <p>No server-side key yet.</p>}
      {keys.data && keys.data.length > 0 && (
        <table class="table keys">
          <caption class="visually-hidden">Server-side keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
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
              <tr key={k.id}>
                <th scope="row">{k.name}</th>
                <td>
                  <code>{maskKey(k.key)}</code>
                </td>
                <td>{formatDate(k.created_at)}</td>
                <td>{k.expires_at ? formatDate(k.expires_at) : <span class="muted">Never</span>}</td>
                <td>
                  <span class={`badge ${status(k).toLowerCase()}`}>{status(k)}</span>
                </td>
                <td class="row-actions">
                  {k.active ? (
                    <button type="button" class="button small" onClick={() => setRevoking(k)}>
                      Revoke<span class="visually-hidden"> {k.name}</span>
                    </button>
                  ) : (
                    <button type="button" class="button small" onClick={() => setDeleting(k)}>
                      Delete<span class="visually-hidden"> {k.name}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3 class="form-heading">New server-side key</h3>
      <form class="inline-form" onSubmit={onSubmit} noValidate>
        <Field label="Name" name="name" idPrefix="server-key" required autoComplete="off" error={error} />
        <Field
          label="Expires on (optional)"
          name="expires_at"
          idPrefix="server-key"
          type="date"
          hint="Empty: never expires."
          error={error}
        />
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </form>
      <FormError error={error} fields={['name', 'expires_at']} />
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke server-side key"
        action="Revoke key"
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          await ok(api.PATCH('/api/v1/environments/{api_key}/api-keys/{id}/', { ...path(revoking), body: { active: false } }));
          await invalidate(keyKeys.server(environment));
        }}
      >
        <p>
          Revoke “{revoking?.name}”? Servers using it get 403 from then on. This cannot be undone; create a new key
          instead.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete server-side key"
        action="Delete key"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await ok(api.DELETE('/api/v1/environments/{api_key}/api-keys/{id}/', path(deleting)));
          await invalidate(keyKeys.server(environment));
        }}
      >
        <p>Delete the revoked key “{deleting?.name}” from this list?</p>
      </ConfirmDialog>
    </section>
  );
}
