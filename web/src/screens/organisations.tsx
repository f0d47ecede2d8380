// The organisations the user belongs to, and creating one. "/" lands on the first.
import { useEffect } from 'preact/hooks';
import { api, ok } from '../api/client';
import { invalidate } from '../api/cache';
import { keys, useOrganisations } from '../api/resources';
import { Field, FormError, Notice } from '../components/field';
import { useSubmit } from '../components/form';
import { Link } from '../components/link';
import { navigate } from '../router';

export function HomeScreen() {
  const organisations = useOrganisations();
  useEffect(() => {
    const list = organisations.data;
    if (list) navigate(list.length > 0 ? `/organisations/${list[0].id}` : '/organisations', { replace: true });
  }, [organisations.data]);
  return organisations.error ? <Notice>{organisations.error.message}</Notice> : <p class="loading">Loading…</p>;
}

export function OrganisationsScreen() {
  const organisations = useOrganisations();
  const { busy, error, onSubmit } = useSubmit(async (v) => {
    const created = await ok(api.POST('/api/v1/organisations/', { body: { name: v.name } }));
    await invalidate(keys.organisations);
    navigate(`/organisations/${created.id}`);
  });
  return (
    <>
      <h1>Organisations</h1>
      {organisations.error && <Notice>{organisations.error.message}</Notice>}
      {organisations.data && organisations.data.length === 0 && (
        <p>You belong to no organisation yet. Create one to hold your projects.</p>
      )}
      {organisations.data && organisations.data.length > 0 && (
        <ul class="cards">
          {organisations.data.map((o) => (
            <li key={o.id} class="card">
              <Link to={`/organisations/${o.id}`} class="card-title">
                {o.name}
              </Link>
              <p class="muted">Your role: {o.role === 'ADMIN' ? 'administrator' : 'user'}</p>
            </li>
          ))}
        </ul>
      )}
      <section class="card" aria-labelledby="new-organisation">
        <h2 id="new-organisation">New organisation</h2>
        <form class="inline-form" onSubmit={onSubmit}>
          <Field label="Name" name="name" idPrefix="organisation" required error={error} />
          <button type="submit" class="button primary" disabled={busy}>
            Create organisation
          </button>
        </form>
        <FormError error={error} fields={['name']} />
      </section>
    </>
  );
}
