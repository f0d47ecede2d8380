// One identity: its traits, and every feature as it gets them with its overrides.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { invalidate } from '../../api/cache';
import { identityKeys, useIdentity } from '../../api/identities';
import { useEnvironments } from '../../api/resources';
import { Notice } from '../../components/field';
import { Link } from '../../components/link';
import { navigate } from '../../router';
import { ConfirmDialog } from './confirm';
import { Flags } from './flags';
import { Traits } from './traits';

export function IdentityScreen({
  project,
  environment,
  identity,
  base,
}: {
  project: number;
  environment: string;
  identity: number;
  /** The identities list's route. */
  base: string;
}) {
  const environments = useEnvironments(project);
  const current = environments.data?.find((e) => e.api_key === environment);
  const found = useIdentity(environment, identity);
  const [deleting, setDeleting] = useState(false);
  if (environments.data && !current) return <Notice>This project has no environment with that key.</Notice>;
  const identifier = found.data?.identifier;
  return (
    <>
      <p class="back">
        <Link to={base}>All identities in {current?.name ?? 'this environment'}</Link>
      </p>
      <div class="page-head">
        <h1>
          <span class="identifier">{identifier ?? '…'}</span>
          <span class="subtitle"> in {current?.name ?? '…'}</span>
        </h1>
        {identifier !== undefined && (
          <button type="button" class="button danger-quiet" onClick={() => setDeleting(true)}>
            Delete identity
          </button>
        )}
      </div>
      {found.error && <Notice>{found.error.status === 404 ? 'There is no such identity in this environment.' : found.error.message}</Notice>}
      {found.data && (
        <>
          <Traits environment={environment} identity={identity} />
          <Flags environment={environment} identity={identity} />
        </>
      )}
      <ConfirmDialog
        open={deleting}
        title="Delete identity"
        action="Delete identity"
        typed={identifier}
        onClose={() => setDeleting(false)}
        onConfirm={async () => {
          await ok(
            api.DELETE('/api/v1/environments/{api_key}/identities/{id}/', {
              params: { path: { api_key: environment, id: identity } },
            }),
          );
          navigate(base);
          await invalidate(identityKeys.all(environment));
        }}
      >
        <p>
          <strong>{identifier}</strong> loses its traits and overrides. An SDK that identifies it again creates a new,
          empty identity.
        </p>
      </ConfirmDialog>
    </>
  );
}
