// The environments of one project (each with its SDK key), and creating one.
import { api, ok } from '../api/client';
import { invalidate } from '../api/cache';
import { keys, useEnvironments, useProjects } from '../api/resources';
import { Field, FormError, Notice } from '../components/field';
import { useSubmit } from '../components/form';
import { Link } from '../components/link';
import { navigate } from '../router';

export function EnvironmentsScreen({ organisation, project }: { organisation: number; project: number }) {
  const projects = useProjects(organisation);
  const environments = useEnvironments(project);
  const name = projects.data?.find((p) => p.id === project)?.name;
  const base = `/organisations/${organisation}/projects/${project}`;
  const { busy, error, onSubmit } = useSubmit(async (v) => {
    const created = await ok(api.POST('/api/v1/environments/', { body: { name: v.name, project } }));
    await invalidate(keys.environments(project));
    navigate(`${base}/environments/${created.api_key}/features`);
  });
  return (
    <>
      <h1>Environments{name && <span class="subtitle"> of {name}</span>}</h1>
      {environments.error && <Notice>{environments.error.message}</Notice>}
      {environments.data && environments.data.length === 0 && (
        <p>This project has no environment yet. Create one (for example Development or Production).</p>
      )}
      {environments.data && environments.data.length > 0 && (
        <table class="table">
          <caption class="visually-hidden">Environments</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Client-side SDK key</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {environments.data.map((e) => (
              <tr key={e.api_key}>
                <td id={`environment-${e.id}`}>
                  <Link to={`${base}/environments/${e.api_key}/features`}>{e.name}</Link>
                </td>
                <td>
                  <code>{e.api_key}</code>
                </td>
                <td class="row-actions">
                  {/* Named "Settings" and described by its row's environment, so cells stay findable by name. */}
                  <Link to={`${base}/environments/${e.api_key}/settings`} aria-describedby={`environment-${e.id}`}>
                    Settings
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <section class="card" aria-labelledby="new-environment">
        <h2 id="new-environment">New environment</h2>
        <form class="inline-form" onSubmit={onSubmit}>
          <Field label="Name" name="name" idPrefix="environment" required error={error} />
          <button type="submit" class="button primary" disabled={busy}>
            Create environment
          </button>
        </form>
        <FormError error={error} fields={['name']} />
      </section>
    </>
  );
}
