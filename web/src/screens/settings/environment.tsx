// An environment's settings (name, description, what its SDKs get), cloning it and deleting it.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { invalidate, update } from '../../api/cache';
import { keys, useEnvironments, type Environment } from '../../api/resources';
import { ConfirmDeleteDialog } from '../../components/confirm-delete';
import { Check, Field, FormError, Notice } from '../../components/field';
import { useSubmit } from '../../components/form';
import { navigate } from '../../router';
import { Saved } from './saved';
import { useFormEdits } from '../../components/unsaved';

const FIELDS = ['name', 'description', 'hide_disabled_flags'];

export function EnvironmentSettingsScreen({
  organisation,
  project,
  environment,
}: {
  organisation: number;
  project: number;
  environment: string;
}) {
  const environments = useEnvironments(project);
  const current = environments.data?.find((e) => e.api_key === environment);
  const base = `/organisations/${organisation}/projects/${project}`;
  const [saved, setSaved] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const edits = useFormEdits();
  const { busy, error, onSubmit } = useSubmit(async (v) => {
    setSaved(false);
    await ok(
      api.PATCH('/api/v1/environments/{api_key}/', {
        params: { path: { api_key: environment } },
        body: {
          name: v.name,
          description: v.description.trim() || null,
          hide_disabled_flags: v.hide_disabled_flags === '' ? null : v.hide_disabled_flags === 'hide',
          allow_client_traits: v.allow_client_traits === 'on',
          hide_sensitive_data: v.hide_sensitive_data === 'on',
        },
      }),
    );
    await invalidate(keys.environments(project));
    edits.saved();
    setSaved(true);
  });
  const clone = useSubmit(async (v) => {
    const created = await ok(
      api.POST('/api/v1/environments/{api_key}/clone/', {
        params: { path: { api_key: environment } },
        body: { name: v.name },
      }),
    );
    await invalidate(keys.environments(project));
    navigate(`${base}/environments/${created.api_key}/features`, { force: true });
  });
  const remove = async () => {
    await ok(api.DELETE('/api/v1/environments/{api_key}/', { params: { path: { api_key: environment } } }));
    // Off this screen and out of the list in one render, then the server's list.
    navigate(base, { force: true });
    update<Environment[]>(keys.environments(project), (list) => list.filter((e) => e.api_key !== environment));
    await invalidate(keys.environments(project));
  };
  if (environments.error) return <Notice>{environments.error.message}</Notice>;
  if (environments.data && !current) return <Notice>This project has no environment with that key.</Notice>;
  if (!current) return <p class="loading">Loading…</p>;
  const hide = current.hide_disabled_flags === null || current.hide_disabled_flags === undefined ? '' : current.hide_disabled_flags ? 'hide' : 'show';
  return (
    <>
      <h1>
        Environment settings<span class="subtitle"> of {current.name}</span>
      </h1>
      <form class="card form-card" onSubmit={onSubmit} onInput={() => setSaved(false)} noValidate key={current.api_key} ref={edits.ref}>
        <Field label="Name" name="name" idPrefix="env" defaultValue={current.name} required error={error} />
        <Field
          label="Description"
          name="description"
          idPrefix="env"
          defaultValue={current.description ?? ''}
          error={error}
        />
        <div class="field">
          <label for="env-hide_disabled_flags">Disabled flags</label>
          <select id="env-hide_disabled_flags" name="hide_disabled_flags" value={hide}>
            <option value="">As the project says</option>
            <option value="hide">Hide them from the SDKs</option>
            <option value="show">Send them to the SDKs</option>
          </select>
        </div>
        <Check
          label="Client-side SDKs may set traits"
          name="allow_client_traits"
          idPrefix="env"
          defaultChecked={current.allow_client_traits}
        />
        <Check
          label="Hide identities' traits and values from the dashboard (sensitive data)"
          name="hide_sensitive_data"
          idPrefix="env"
          defaultChecked={current.hide_sensitive_data}
        />
        <FormError error={error} fields={FIELDS} />
        <Saved shown={saved} />
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save settings'}
        </button>
      </form>
      <section class="card form-card" aria-labelledby="clone-environment">
        <h2 id="clone-environment">Clone environment</h2>
        <p class="muted">A new environment with a copy of every feature's state and value in {current.name}.</p>
        <form class="inline-form" onSubmit={clone.onSubmit} noValidate>
          <Field label="Name of the copy" name="name" idPrefix="clone" required autoComplete="off" error={clone.error} />
          <button type="submit" class="button primary" disabled={clone.busy}>
            {clone.busy ? 'Cloning…' : 'Clone environment'}
          </button>
        </form>
        <FormError error={clone.error} fields={['name']} />
      </section>
      <section class="card danger-zone" aria-labelledby="delete-environment">
        <h2 id="delete-environment">Delete environment</h2>
        <p>SDKs using this environment's keys stop getting flags.</p>
        <button type="button" class="button danger" onClick={() => setDeleting(true)}>
          Delete environment…
        </button>
      </section>
      <ConfirmDeleteDialog
        open={deleting}
        what="environment"
        name={current.name}
        consequence="Its feature states, identities and keys go with it."
        onDelete={remove}
        onClose={() => setDeleting(false)}
      />
    </>
  );
}
