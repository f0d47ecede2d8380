// An organisation's settings: its name, who may create projects, where notices go; deleting it.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { clearCache, invalidate } from '../../api/cache';
import { keys, useOrganisations } from '../../api/resources';
import { ConfirmDeleteDialog } from '../../components/confirm-delete';
import { Check, Field, FormError, Notice } from '../../components/field';
import { useSubmit } from '../../components/form';
import { navigate } from '../../router';
import { Saved } from './saved';

/** The fields that show their own errors. */
const FIELDS = ['name', 'webhook_notification_email'];

export function OrganisationSettingsScreen({ organisation }: { organisation: number }) {
  const organisations = useOrganisations();
  const current = organisations.data?.find((o) => o.id === organisation);
  const [saved, setSaved] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const { busy, error, onSubmit } = useSubmit(async (v) => {
    setSaved(false);
    await ok(
      api.PATCH('/api/v1/organisations/{id}/', {
        params: { path: { id: organisation } },
        body: {
          name: v.name,
          restrict_project_create_to_admin: v.restrict_project_create_to_admin === 'on',
          webhook_notification_email: v.webhook_notification_email.trim() || null,
        },
      }),
    );
    await invalidate(keys.organisations);
    setSaved(true);
  });
  const remove = async () => {
    await ok(api.DELETE('/api/v1/organisations/{id}/', { params: { path: { id: organisation } } }));
    navigate('/organisations');
    clearCache();
  };
  if (organisations.error) return <Notice>{organisations.error.message}</Notice>;
  if (!current) return <p class="loading">Loading…</p>;
  return (
    <>
      <h1>
        Organisation settings<span class="subtitle"> of {current.name}</span>
      </h1>
      {current.role !== 'ADMIN' && <p class="muted">Only the organisation's administrators can change these.</p>}
      <form class="card form-card" onSubmit={onSubmit} onInput={() => setSaved(false)} noValidate key={current.id}>
        <Field label="Name" name="name" idPrefix="org" defaultValue={current.name} required error={error} />
        <Field
          label="Email for notices"
          name="webhook_notification_email"
          idPrefix="org"
          type="email"
          defaultValue={current.webhook_notification_email ?? ''}
          hint="Where failing webhooks are reported; may be left empty."
          error={error}
        />
        <Check
          label="Only administrators may create projects"
          name="restrict_project_create_to_admin"
          idPrefix="org"
          defaultChecked={current.restrict_project_create_to_admin}
        />
        <FormError error={error} fields={FIELDS} />
        <Saved shown={saved} />
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save settings'}
        </button>
      </form>
      <section class="card danger-zone" aria-labelledby="delete-organisation">
        <h2 id="delete-organisation">Delete organisation</h2>
        <p>Deletes every project, environment, feature and member of {current.name}.</p>
        <button type="button" class="button danger" onClick={() => setDeleting(true)}>
          Delete organisation…
        </button>
      </section>
      <ConfirmDeleteDialog
        open={deleting}
        what="organisation"
        name={current.name}
        consequence="Its projects, environments, features, groups and invitations go with it."
        onDelete={remove}
        onClose={() => setDeleting(false)}
      />
    </>
  );
}
