// A project's settings (name, feature-name rules, how disabled flags are served) and deleting it.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { ApiError } from '../../api/errors';
import { invalidate, update } from '../../api/cache';
import { keys, useProjects, type Project } from '../../api/resources';
import { ConfirmDeleteDialog } from '../../components/confirm-delete';
import { Check, Field, FormError, Notice } from '../../components/field';
import { useSubmit } from '../../components/form';
import { navigate } from '../../router';
import { Saved } from './saved';
import { useFormEdits } from '../../components/unsaved';

/** The fields that show their own errors; the API's other messages go above the button. */
const FIELDS = ['name', 'feature_name_regex', 'stale_flags_limit_days'];

export function ProjectSettingsScreen({ organisation, project }: { organisation: number; project: number }) {
  const projects = useProjects(organisation);
  const current = projects.data?.find((p) => p.id === project);
  const [saved, setSaved] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const edits = useFormEdits();
  const { busy, error, onSubmit } = useSubmit(async (v) => {
    setSaved(false);
    const days = v.stale_flags_limit_days.trim();
    if (!/^-?\d+$/.test(days)) {
      throw new ApiError(400, undefined, { stale_flags_limit_days: ['Enter a whole number of days.'] });
    }
    await ok(
      api.PATCH('/api/v1/projects/{id}/', {
        params: { path: { id: project } },
        body: {
          name: v.name,
          feature_name_regex: v.feature_name_regex.trim() || null,
          only_allow_lower_case_feature_names: v.only_allow_lower_case_feature_names === 'on',
          hide_disabled_flags: v.hide_disabled_flags === 'on',
          prevent_flag_defaults: v.prevent_flag_defaults === 'on',
          enable_realtime_updates: v.enable_realtime_updates === 'on',
          stale_flags_limit_days: Number(days),
        },
      }),
    );
    await invalidate('/api/v1/projects/');
    edits.saved();
    setSaved(true);
  });
  const remove = async () => {
    await ok(api.DELETE('/api/v1/projects/{id}/', { params: { path: { id: project } } }));
    // Off this screen and out of the list in one render, then the server's list.
    navigate(`/organisations/${organisation}`, { force: true });
    update<Project[]>(keys.projects(organisation), (list) => list.filter((p) => p.id !== project));
    await invalidate('/api/v1/projects/');
  };
  if (projects.error) return <Notice>{projects.error.message}</Notice>;
  if (projects.data && !current) return <Notice>This organisation has no project with that id.</Notice>;
  if (!current) return <p class="loading">Loading…</p>;
  const id = 'project';
  return (
    <>
      <h1>
        Project settings<span class="subtitle"> of {current.name}</span>
      </h1>
      <form class="card form-card" onSubmit={onSubmit} onInput={() => setSaved(false)} noValidate key={current.id} ref={edits.ref}>
        <Field label="Name" name="name" idPrefix={id} defaultValue={current.name} required error={error} />
        <fieldset class="group">
          <legend>Feature names</legend>
          <Check
            label="Only allow lower-case feature names"
            name="only_allow_lower_case_feature_names"
            idPrefix={id}
            defaultChecked={current.only_allow_lower_case_feature_names}
          />
          <Field
            label="Feature name pattern"
            name="feature_name_regex"
            idPrefix={id}
            defaultValue={current.feature_name_regex ?? ''}
            hint="A regular expression every new feature name must match, e.g. ^[a-z_]+$. Empty: any name."
            autoComplete="off"
            spellcheck={false}
            error={error}
          />
        </fieldset>
        <fieldset class="group">
          <legend>Flags</legend>
          <Check
            label="Hide disabled flags from the SDKs"
            name="hide_disabled_flags"
            idPrefix={id}
            defaultChecked={current.hide_disabled_flags}
          />
          <Check
            label="New features start with no value in every environment (ignore the default value)"
            name="prevent_flag_defaults"
            idPrefix={id}
            defaultChecked={current.prevent_flag_defaults}
          />
          <Check
            label="Push changes to connected SDKs at once (real-time updates)"
            name="enable_realtime_updates"
            idPrefix={id}
            defaultChecked={current.enable_realtime_updates}
          />
          <Field
            label="Days until an unchanged flag counts as stale"
            name="stale_flags_limit_days"
            idPrefix={id}
            inputMode="numeric"
            defaultValue={String(current.stale_flags_limit_days)}
            error={error}
          />
        </fieldset>
        <FormError error={error} fields={FIELDS} />
        <Saved shown={saved} />
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save settings'}
        </button>
      </form>
      <section class="card danger-zone" aria-labelledby="delete-project">
        <h2 id="delete-project">Delete project</h2>
        <p>Deletes {current.name} with its environments, features and segments.</p>
        <button type="button" class="button danger" onClick={() => setDeleting(true)}>
          Delete project…
        </button>
      </section>
      <ConfirmDeleteDialog
        open={deleting}
        what="project"
        name={current.name}
        consequence="Its environments, features, segments and identities go with it; SDKs using its keys stop getting flags."
        onDelete={remove}
        onClose={() => setDeleting(false)}
      />
    </>
  );
}
