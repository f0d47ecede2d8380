// Accepting an invitation: the join link an administrator handed over, opened while logged in.
import { api, ok } from '../api/client';
import { invalidate } from '../api/cache';
import { keys } from '../api/resources';
import { FormError } from '../components/field';
import { useSubmit } from '../components/form';
import { navigate } from '../router';

export function JoinScreen({ hash, kind }: { hash: string; kind: 'email' | 'link' }) {
  const { busy, error, onSubmit } = useSubmit(async () => {
    const organisation = await ok(
      kind === 'email'
        ? api.POST('/api/v1/users/join/{hash}/', { params: { path: { hash } } })
        : api.POST('/api/v1/users/join/link/{hash}/', { params: { path: { hash } } }),
    );
    await invalidate(keys.organisations);
    navigate(`/organisations/${organisation.id}`);
  });
  return (
    <>
      <h1>Join an organisation</h1>
      <form class="card form-card" onSubmit={onSubmit}>
        <p>
          {kind === 'email'
            ? 'You were invited to an organisation. The invitation is for the email address you log in with.'
            : 'This invite link lets you join an organisation.'}
        </p>
        <FormError error={error} fields={[]} />
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Joining…' : 'Join organisation'}
        </button>
      </form>
    </>
  );
}
