// Every feature as this identity gets it: value, on/off and why (environment default, a segment,
// or the identity's own override), and the identity's overrides: add, edit, remove.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { invalidate } from '../../api/cache';
import { identityKeys, useIdentityFlags, useOverrides, type IdentityFlag, type Override } from '../../api/identities';
import { Dialog } from '../../components/dialog';
import { Check, FormError, Notice } from '../../components/field';
import { useSubmit } from '../../components/form';
import { ConfirmDialog } from './confirm';
import { parseValue, renameField, textOf, typeOf, TypedValueFields, type ValueType } from './typed-value';

function Why({ flag }: { flag: IdentityFlag }) {
  if (flag.overridden_by === 'IDENTITY') return <span class="why why-identity">Identity override</span>;
  if (flag.overridden_by === 'SEGMENT') {
    return <span class="why why-segment">Segment {flag.segment?.name ?? ''}</span>;
  }
  return <span class="why">Environment default</span>;
}

function Value({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === '') return <span class="muted">No value</span>;
  return <code class="value">{typeof value === 'string' ? value : JSON.stringify(value)}</code>;
}

function OverrideForm({
  environment,
  identity,
  flag,
  override,
  onClose,
}: {
  environment: string;
  identity: number;
  flag: IdentityFlag;
  override: Override | undefined;
  onClose: () => void;
}) {
  // A new override starts from what the identity gets now.
  const start = override ?? flag;
  const [type, setType] = useState<ValueType>(typeOf(start.feature_state_value));
  const [text, setText] = useState(textOf(start.feature_state_value));
  const { busy, error, onSubmit } = useSubmit(async (v) => {
    const raw = type === 'bool' ? v.value : text;
    const value = type === 'unicode' && raw === '' ? null : parseValue(type, raw);
    const body = { enabled: v.enabled === 'on', feature_state_value: value };
    try {
      if (override) {
        await ok(
          api.PATCH('/api/v1/environments/{api_key}/identities/{identity}/featurestates/{id}/', {
            params: { path: { api_key: environment, identity, id: override.id } },
            body,
          }),
        );
      } else {
        await ok(
          api.POST('/api/v1/environments/{api_key}/identities/{identity}/featurestates/', {
            params: { path: { api_key: environment, identity } },
            body: { ...body, feature: flag.feature.id },
          }),
        );
      }
    } catch (e) {
      throw renameField(e, ['feature_state_value'], 'value');
    }
    await invalidate(identityKeys.overrides(environment, identity));
    onClose();
  });
  return (
    <form onSubmit={onSubmit} noValidate>
      <Check label="Enabled for this identity" name="enabled" idPrefix="override" defaultChecked={start.enabled} />
      <TypedValueFields
        idPrefix="override"
        type={type}
        text={text}
        onType={(t) => {
          setType(t);
          if (t === 'bool' && text !== 'true' && text !== 'false') setText('true');
        }}
        onText={setText}
        error={error}
      />
      <p class="hint">An empty string value means no value.</p>
      <FormError error={error} fields={['value', 'enabled']} />
      <div class="actions">
        <button type="button" class="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save override'}
        </button>
      </div>
    </form>
  );
}

export function Flags({ environment, identity }: { environment: string; identity: number }) {
  const flags = useIdentityFlags(environment, identity);
  const overrides = useOverrides(environment, identity);
  const [editing, setEditing] = useState<IdentityFlag | null>(null);
  const [removing, setRemoving] = useState<{ flag: IdentityFlag; override: Override } | null>(null);
  const overrideOf = (flag: IdentityFlag) => overrides.data?.find((o) => o.feature === flag.feature.id);
  const list = [...(flags.data ?? [])].sort((a, b) => a.feature.name.localeCompare(b.feature.name));
  return (
    <section class="identity-section" aria-labelledby="flags-heading">
      <h2 id="flags-heading">Features for this identity</h2>
      {(flags.error || overrides.error) && <Notice>{(flags.error ?? overrides.error)?.message}</Notice>}
      {flags.loading && <p class="loading">Loading features…</p>}
      {flags.data && list.length === 0 && <p>This project has no features yet.</p>}
      {list.length > 0 && (
        <table class="table identity-flags">
          <caption class="visually-hidden">Features as this identity gets them</caption>
          <thead>
            <tr>
              <th scope="col">Feature</th>
              <th scope="col">Value</th>
              <th scope="col">Enabled</th>
              <th scope="col">Why</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((flag) => {
              const override = overrideOf(flag);
              const name = flag.feature.name;
              return (
                <tr key={flag.feature.id}>
                  <th scope="row">
                    <span class="feature-name">{name}</span>
                  </th>
                  <td>
                    <Value value={flag.feature_state_value} />
                  </td>
                  <td>
                    <span class={flag.enabled ? 'state state-on' : 'state'}>{flag.enabled ? 'On' : 'Off'}</span>
                  </td>
                  <td>
                    <Why flag={flag} />
                  </td>
                  <td class="row-actions">
                    <button type="button" class="button quiet small" onClick={() => setEditing(flag)}>
                      {override ? 'Edit override' : 'Override'}
                      <span class="visually-hidden"> of {name}</span>
                    </button>
                    {override && (
                      <button
                        type="button"
                        class="button quiet small"
                        onClick={() => setRemoving({ flag, override })}
                      >
                        Remove override<span class="visually-hidden"> of {name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <Dialog open={editing !== null} title={`Override ${editing?.feature.name ?? ''}`} onClose={() => setEditing(null)}>
        {editing && (
          <OverrideForm
            key={editing.feature.id}
            environment={environment}
            identity={identity}
            flag={editing}
            override={overrideOf(editing)}
            onClose={() => setEditing(null)}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={removing !== null}
        title="Remove override"
        action="Remove override"
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (!removing) return;
          await ok(
            api.DELETE('/api/v1/environments/{api_key}/identities/{identity}/featurestates/{id}/', {
              params: { path: { api_key: environment, identity, id: removing.override.id } },
            }),
          );
          await invalidate(identityKeys.overrides(environment, identity));
        }}
      >
        <p>
          Remove this identity’s override of <code class="value">{removing?.flag.feature.name}</code>? It then gets
          the segment or environment state again.
        </p>
      </ConfirmDialog>
    </section>
  );
}
