// Permissions: what each person and group may do in the organisation, a project or an environment.
// The URL holds the choice: ?project=ID and &environment=KEY.
import { useEnvironments, useOrganisations, useProjects } from '../api/resources';
import type { Target } from '../api/admin';
import { Notice } from '../components/field';
import { navigate, useRoute } from '../router';
import { GrantsEditor } from './permissions/editor';

export function PermissionsScreen({ organisation }: { organisation: number }) {
  const route = useRoute();
  const query = new URLSearchParams(route.split('?')[1] ?? '');
  const projectParam = query.get('project');
  const project = projectParam && /^\d+$/.test(projectParam) ? Number(projectParam) : null;
  const environment = project === null ? null : query.get('environment');
  const organisations = useOrganisations();
  const projects = useProjects(organisation);
  const environments = useEnvironments(project);
  const org = organisations.data?.find((o) => o.id === organisation);
  const base = `/organisations/${organisation}/permissions`;
  const go = (p: string, e: string) =>
    navigate(p ? `${base}?project=${p}${e ? `&environment=${encodeURIComponent(e)}` : ''}` : base, { replace: true });

  const target: Target =
    environment !== null && environment !== ''
      ? { level: 'environments', id: environment }
      : project !== null
        ? { level: 'projects', id: String(project) }
        : { level: 'organisations', id: String(organisation) };
  const projectName = projects.data?.find((p) => p.id === project)?.name;
  const environmentName = environments.data?.find((e) => e.api_key === environment)?.name;
  const where =
    target.level === 'organisations'
      ? `the organisation ${org?.name ?? ''}`
      : target.level === 'projects'
        ? `the project ${projectName ?? ''}`
        : `the environment ${environmentName ?? ''} of ${projectName ?? ''}`;

  return (
    <>
      <h1>
        Permissions<span class="subtitle">{org && ` in ${org.name}`}</span>
      </h1>
      <p class="muted">
        Administrators of the organisation may do everything. Grant others what they need, directly or through a group.
      </p>
      <div class="card target-picker">
        <div class="field">
          <label for="permissions-project">Grant on</label>
          <select
            id="permissions-project"
            value={project === null ? '' : String(project)}
            onChange={(e) => go(e.currentTarget.value, '')}
          >
            <option value="">The whole organisation</option>
            {(projects.data ?? []).map((p) => (
              <option key={p.id} value={String(p.id)}>
                Project {p.name}
              </option>
            ))}
          </select>
        </div>
        {project !== null && (
          <div class="field">
            <label for="permissions-environment">Environment</label>
            <select
              id="permissions-environment"
              value={environment ?? ''}
              onChange={(e) => go(String(project), e.currentTarget.value)}
            >
              <option value="">The project itself</option>
              {(environments.data ?? []).map((e) => (
                <option key={e.api_key} value={e.api_key}>
                  {e.name}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {projects.error && <Notice>{projects.error.message}</Notice>}
      <GrantsEditor key={`${target.level}:${target.id}`} organisation={organisation} target={target} where={where.trim()} />
    </>
  );
}
