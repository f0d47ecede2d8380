// The feature's settings (description, server-side only; the rest is fixed at creation, as the
// API has it), archiving, and deleting after the feature's name is typed.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import type { Feature } from '../../api/resources';
import { Dialog } from '../../components/dialog';
import { Check, Field, FormError } from '../../components/field';
import { TextArea } from '../../components/field-more';
import { useSubmit } from '../../components/form';
import { navigate } from '../../router';
import { refreshFeatures } from './actions';

export function SettingsCard({ feature }: { feature: Feature }) {
  const [saved, setSaved] = useState('');
  const { busy, error, onSubmit } = useSubmit(async (v) => {
    setSaved('');
    await ok(
      api.PATCH('/api/v1/projects/{project}/features/{id}/', {
        params: { path: { project: feature.project, id: feature.id } },
        body: { description: v.description.trim() === '' ? null : v.description, is_server_key_only: v.is_server_key_only === 'on' },
      }),
    );
    await refreshFeatures(feature.project);
    setSaved('Saved the settings.');
  });
  return (
    <section class="card" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      <dl class="facts">
        <dt>Name</dt>
        <dd>
          <code>{feature.name}</code>
        </dd>
        <dt>Type</dt>
        <dd>{feature.type === 'MULTIVARIATE' ? 'Multivariate' : 'Standard'}</dd>
        <dt>Enabled by default</dt>
        <dd>{feature.default_enabled ? 'Yes' : 'No'}</dd>
        <dt>Initial value</dt>
        <dd>{feature.initial_value ? <code class="value">{feature.initial_value}</code> : <span class="muted">None</span>}</dd>
        <dt>Created</dt>
        <dd>{new Date(feature.created_date).toLocaleString()}</dd>
      </dl>
      <p class="hint">The name, the defaults and the initial value are fixed once a feature exists.</p>
      <form onSubmit={onSubmit} noValidate>
        <TextArea
          label="Description"
          name="description"
          idPrefix="settings"
          rows={2}
          defaultValue={feature.description ?? ''}
          error={error}
        />
        <Check
          label="Server-side only (client-side SDK keys do not get it)"
          name="is_server_key_only"
          idPrefix="settings"
          defaultChecked={feature.is_server_key_only}
        />
        <FormError error={error} fields={['description']} />
        <div class="actions">
          <p class="status" role="status">
            {saved}
          </p>
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save settings'}
          </button>
        </div>
      </form>
    </section>
  );
}

function DeleteDialog({ feature, open, onClose, back }: { feature: Feature; open: boolean; onClose: () => void; back: string }) {
  const [typed, setTyped] = useState('');
  const { busy, error, onSubmit, reset } = useSubmit(async () => {
    if (typed !== feature.name) return;
    await ok(api.DELETE('/api/v1/projects/{project}/features/{id}/', { params: { path: { project: feature.project, id: feature.id } } }));
    navigate(back);
    await refreshFeatures(feature.project);
  });
  const close = () => {
    reset();
    setTyped('');
    onClose();
  };
  return (
    <Dialog open={open} title="Delete feature" onClose={close}>
      <form onSubmit={onSubmit} noValidate>
        <p>
          This deletes <code>{feature.name}</code> in every environment, with its overrides. SDKs stop getting it. It
          cannot be undone.
        </p>
        <Field
          label={`Type ${feature.name} to confirm`}
          name="confirm"
          idPrefix="delete"
          autoComplete="off"
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
        <FormError error={error} fields={[]} />
        <div class="actions">
          <button type="button" class="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" class="button danger-solid" disabled={busy || typed !== feature.name}>
            {busy ? 'Deleting…' : 'Delete feature'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function DangerCard({ feature, back }: { feature: Feature; back: string }) {
  const [deleting, setDeleting] = useState(false);
  const { busy, error, onSubmit } = useSubmit(async () => {
    await ok(
      api.PATCH('/api/v1/projects/{project}/features/{id}/', {
        params: { path: { project: feature.project, id: feature.id } },
        body: { is_archived: !feature.is_archived },
      }),
    );
    await refreshFeatures(feature.project);
  });
  return (
    <section class="card danger-zone" aria-labelledby="danger-heading">
      <h2 id="danger-heading">Archive or delete</h2>
      <form class="danger-row" onSubmit={onSubmit}>
        <p>
          {feature.is_archived
            ? 'This feature is archived: SDKs still get it, and the list marks it as archived.'
            : 'Archive a feature that is no longer in use; SDKs still get it.'}
        </p>
        <button type="submit" class="button" disabled={busy}>
          {feature.is_archived ? 'Unarchive feature' : 'Archive feature'}
        </button>
      </form>
      <FormError error={error} fields={[]} />
      <div class="danger-row">
        <p>Delete the feature in every environment.</p>
        <button type="button" class="button danger" onClick={() => setDeleting(true)}>
          Delete feature
        </button>
      </div>
      <DeleteDialog feature={feature} open={deleting} onClose={() => setDeleting(false)} back={back} />
    </section>
  );
}
