// The projects of one organisation, and creating one.
import { api, ok } from '../api/client';
import { invalidate } from '../api/cache';
import { keys, useOrganisations, useProjects } from '../api/resources';
import { Field, FormError, Notice } from '../components/field';
import { useSubmit } from '../components/form';
import { Link } from '../components/link';
import { navigate } from '../router';

export function ProjectsScreen({ organisation }: { organisation: number }) {
  const organisations = useOrganisations();
  const projects = useProjects(organisation);
  const name = organisations.data?.find((o) => o.id === organisation)?.name;
  const { busy, error, onSubmit } = useSubmit(async (v) => {
    const created = await ok(api.POST('/api/v1/projects/', { body: { name: v.name, organisation } }));
    await invalidate(keys.projects(organisation));
    navigate(`/organisations/${organisation}/projects/${created.id}`);
  });
  return (
    <>
      <h1>Projects{name && <span class="subtitle"> in {name}</span>}</h1>
      {projects.error && <Notice>{projects.error.message}</Notice>}
      {projects.data && projects.data.length === 0 && <p>This organisation has no project yet.</p>}
      {projects.data && projects.data.length > 0 && (
        <ul class="cards">
          {projects.data.map((p) => (
            <li key={p.id} class="card">
              <Link to={`/organisations/${organisation}/projects/${p.id}`} class="card-title">
                {p.name}
              </Link>
            </li>
          ))}
        </ul>
      )}
      <section class="card" aria-labelledby="new-project">
        <h2 id="new-project">New project</h2>
        <form class="inline-form" onSubmit={onSubmit}>
          <Field label="Name" name="name" idPrefix="project" required error={error} />
          <button type="submit" class="button primary" disabled={busy}>
            Create project
          </button>
        </form>
        <FormError error={error} fields={['name']} />
      </section>
    </>
  );
}
