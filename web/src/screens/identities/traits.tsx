// An identity's traits: add, edit (value and type), delete. Values are typed (string, integer,
// float, boolean) and sent in the column their type names, as the trait API wants.
import { useState } from 'preact/hooks';
import { api, ok, type Schemas } from '../../api/client';
import { invalidate } from '../../api/cache';
import { ApiError } from '../../api/errors';
import { identityKeys, useTraits, type Trait } from '../../api/identities';
import { Dialog } from '../../components/dialog';
import { Field, FormError, Notice } from '../../components/field';
import { useSubmit } from '../../components/form';
import { PlusIcon } from '../../components/icons';
import { useFormEdits } from '../../components/unsaved';
import { ConfirmDialog } from './confirm';
import { parseValue, renameField, textOf, typeName, TypedValueFields, type ValueType } from './typed-value';

const COLUMN = { unicode: 'string_value', int: 'integer_value', float: 'float_value', bool: 'boolean_value' } as const;

/** A trait's value, from the column its type names. */
function valueOf(trait: Trait): unknown {
  const column = COLUMN[trait.value_type as ValueType];
  return column ? trait[column] : null;
}

/** The body that stores `value` as `type`, every other column cleared. */
function traitBody(key: string, type: ValueType, value: string | number | boolean): Schemas['TraitInCreate'] {
  return {
    trait_key: key,
    value_type: type,
    string_value: type === 'unicode' ? (value as string) : null,
    integer_value: type === 'int' ? (value as number) : null,
    float_value: type === 'float' ? (value as number) : null,
    boolean_value: type === 'bool' ? (value as boolean) : null,
  };
}

function TraitForm({
  environment,
  identity,
  trait,
  taken,
  onClose,
}: {
  environment: string;
  identity: number;
  trait: Trait | null;
  /** The keys the identity has: adding one of them would silently replace it (the API upserts). */
  taken: readonly string[];
  onClose: () => void;
}) {
  const [type, setType] = useState<ValueType>((trait?.value_type as ValueType | undefined) ?? 'unicode');
  const [text, setText] = useState(trait ? textOf(valueOf(trait)) : '');
  const edits = useFormEdits();
  const { busy, error, onSubmit } = useSubmit(async (v) => {
    const key = trait?.trait_key ?? v.trait_key.trim();
    if (!trait && taken.includes(key)) {
      throw new ApiError(400, undefined, { trait_key: [`This identity has a trait ${key}; edit that one instead.`] });
    }
    const value = parseValue(type, type === 'bool' ? v.value : text);
    const body = traitBody(key, type, value);
    const path = { api_key: environment, id: identity };
    try {
      if (trait) {
        await ok(
          api.PATCH('/api/v1/environments/{api_key}/identities/{id}/traits/{trait_id}/', {
            params: { path: { ...path, trait_id: trait.id } },
            body,
          }),
        );
      } else {
        await ok(api.POST('/api/v1/environments/{api_key}/identities/{id}/traits/', { params: { path }, body }));
      }
    } catch (e) {
      // A value's message names its column, or trait_value (too long).
      throw renameField(e, [COLUMN[type], 'trait_value'], 'value');
    }
    await invalidate(identityKeys.one(environment, identity));
    onClose();
  });
  return (
    <form onSubmit={onSubmit} noValidate ref={edits.ref}>
      {trait ? (
        <p>
          Key <code class="value">{trait.trait_key}</code>
        </p>
      ) : (
        <Field label="Key" name="trait_key" idPrefix="trait" required autoComplete="off" spellcheck={false} error={error} />
      )}
      <TypedValueFields
        idPrefix="trait"
        type={type}
        text={text}
        onType={(t) => {
          setType(t);
          if (t === 'bool' && text !== 'true' && text !== 'false') setText('true');
        }}
        onText={setText}
        error={error}
      />
      <FormError error={error} fields={['trait_key', 'value']} />
      <div class="actions">
        <button type="button" class="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Saving…' : trait ? 'Save trait' : 'Add trait'}
        </button>
      </div>
    </form>
  );
}

export function Traits({ environment, identity }: { environment: string; identity: number }) {
  const traits = useTraits(environment, identity);
  const [editing, setEditing] = useState<Trait | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Trait | null>(null);
  const list = traits.data?.results ?? [];
  return (
    <section class="identity-section" aria-labelledby="traits-heading">
      <div class="section-head">
        <h2 id="traits-heading">Traits</h2>
        <button type="button" class="button" onClick={() => setEditing('new')}>
          <PlusIcon />
          Add trait
        </button>
      </div>
      {traits.error && <Notice>{traits.error.message}</Notice>}
      {traits.loading && <p class="loading">Loading traits…</p>}
      {traits.data && list.length === 0 && <p>No traits. The SDK sends them, or add one here.</p>}
      {list.length > 0 && (
        <table class="table traits">
          <caption class="visually-hidden">Traits</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Type</th>
              <th scope="col">Value</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((trait) => (
              <tr key={trait.id}>
                <th scope="row">
                  <code>{trait.trait_key}</code>
                </th>
                <td>{typeName(trait.value_type)}</td>
                <td>
                  <code class="value">{textOf(valueOf(trait))}</code>
                </td>
                <td class="row-actions">
                  <button type="button" class="button quiet small" onClick={() => setEditing(trait)}>
                    Edit<span class="visually-hidden"> trait {trait.trait_key}</span>
                  </button>
                  <button type="button" class="button quiet small" onClick={() => setDeleting(trait)}>
                    Delete<span class="visually-hidden"> trait {trait.trait_key}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {traits.data?.next && (
        <p class="hint">
          Showing the first {list.length} of {traits.data.count} traits.
        </p>
      )}
      <Dialog
        open={editing !== null}
        title={editing === 'new' ? 'Add trait' : 'Edit trait'}
        onClose={() => setEditing(null)}
      >
        <TraitForm
          key={editing === 'new' ? 'new' : editing?.id}
          environment={environment}
          identity={identity}
          trait={editing === 'new' ? null : editing}
          taken={list.map((t) => t.trait_key)}
          onClose={() => setEditing(null)}
        />
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete trait"
        action="Delete trait"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await ok(
            api.DELETE('/api/v1/environments/{api_key}/identities/{id}/traits/{trait_id}/', {
              params: { path: { api_key: environment, id: identity, trait_id: deleting.id } },
            }),
          );
          await invalidate(identityKeys.one(environment, identity));
        }}
      >
        <p>
          Delete the trait <code class="value">{deleting?.trait_key}</code>? Segments that match on it stop matching
          this identity.
        </p>
      </ConfirmDialog>
    </section>
  );
}
