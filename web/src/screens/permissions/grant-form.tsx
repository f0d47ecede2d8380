// One grant's checkboxes: "admin" (projects and environments) and each permission key.
import { Check, FormError } from '../../components/field';
import { useSubmit } from '../../components/form';
import type { Grant, Level, PermissionKey } from '../../api/admin';
import type { Schemas } from '../../api/client';

/** "VIEW_PROJECT" -> "View project". */
export const permissionName = (key: string) => {
  const words = key.toLowerCase().split('_').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export interface GrantValues {
  admin: boolean;
  permissions: Schemas['PermissionKey'][];
}

/** The checked boxes of a grant form as the API's body. */
export function valuesOf(v: Record<string, string>): GrantValues {
  return {
    admin: v.admin === 'on',
    permissions: Object.keys(v)
      .filter((name) => name.startsWith('perm-'))
      // Each box is named after a key the server listed (`perm-<key>`).
      .map((name) => name.slice('perm-'.length) as Schemas['PermissionKey']),
  };
}

export function GrantChecks({
  level,
  keys,
  grant,
  idPrefix,
}: {
  level: Level;
  keys: PermissionKey[];
  grant?: Grant;
  idPrefix: string;
}) {
  return (
    <>
      {level !== 'organisations' && (
        <Check
          label={`Administrator of this ${level === 'projects' ? 'project' : 'environment'} (every permission)`}
          name="admin"
          idPrefix={idPrefix}
          defaultChecked={grant?.admin ?? false}
        />
      )}
      <div class="permission-grid">
        {keys.map((k) => (
          <div key={k.key} class="check permission" title={k.description}>
            <input
              id={`${idPrefix}-${k.key}`}
              name={`perm-${k.key}`}
              type="checkbox"
              defaultChecked={grant?.permissions.includes(k.key) ?? false}
              aria-describedby={`${idPrefix}-${k.key}-about`}
            />
            <label for={`${idPrefix}-${k.key}`}>
              {permissionName(k.key)}
              <span class="hint" id={`${idPrefix}-${k.key}-about`}>
                {k.description}
              </span>
            </label>
          </div>
        ))}
      </div>
    </>
  );
}

/** An existing grant: save its boxes, or ask to remove it altogether. */
export function GrantForm({
  level,
  keys,
  grant,
  who,
  idPrefix,
  onSave,
  onRemove,
}: {
  level: Level;
  keys: PermissionKey[];
  grant: Grant;
  who: string;
  idPrefix: string;
  onSave: (values: GrantValues) => Promise<void>;
  onRemove: () => void;
}) {
  const save = useSubmit((v) => onSave(valuesOf(v)));
  return (
    <form class="card grant" onSubmit={save.onSubmit} noValidate>
      <fieldset>
        <legend>{who}</legend>
        <GrantChecks level={level} keys={keys} grant={grant} idPrefix={idPrefix} />
      </fieldset>
      <FormError error={save.error} fields={[]} />
      <div class="actions">
        <button type="button" class="button danger-quiet" onClick={onRemove}>
          Remove access<span class="visually-hidden"> of {who}</span>
        </button>
        <button type="submit" class="button primary" disabled={save.busy}>
          Save<span class="visually-hidden"> permissions of {who}</span>
        </button>
      </div>
    </form>
  );
}
