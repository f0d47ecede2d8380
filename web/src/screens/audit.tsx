// The audit log: who changed what and when, newest first, for one project or the whole
// organisation. The filters live in the URL (?environment=&search=&page=) like the rest of the state.
import { useState } from 'preact/hooks';
import { AUDIT_PAGE_SIZE, useAuditLog, useFreshOnOpen, type AuditEntry } from '../api/keys';
import { useEnvironments, useProjects } from '../api/resources';
import { Notice } from '../components/field';
import { SearchIcon } from '../components/icons';
import { navigate, useRoute } from '../router';
import { formatDate } from './keys/format';

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function who(entry: AuditEntry): string {
  if (entry.author) return entry.author.email;
  if (entry.master_api_key !== null && entry.master_api_key !== undefined) return 'Organisation API key';
  return 'System';
}

function Entry({ entry }: { entry: AuditEntry }) {
  const changes = entry.change_details;
  return (
    <tr>
      <td class="nowrap">
        <time dateTime={entry.created_date}>{formatDate(entry.created_date)}</time>
      </td>
      <td>{who(entry)}</td>
      <td>{entry.environment?.name ?? <span class="muted">{entry.project?.name ?? 'Organisation'}</span>}</td>
      <td>
        <span class="audit-log">{entry.log}</span>
        {changes.length > 0 && (
          <details class="audit-changes">
            <summary>
              {changes.length === 1 ? '1 change' : `${changes.length} changes`}
              <span class="visually-hidden"> of “{entry.log}”</span>
            </summary>
            <table class="changes">
              <caption class="visually-hidden">Changed fields</caption>
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">Before</th>
                  <th scope="col">After</th>
                </tr>
              </thead>
              <tbody>
                {changes.map((c) => (
                  <tr key={c.field}>
                    <th scope="row">{c.field}</th>
                    <td>
                      <code>{show(c.old)}</code>
                    </td>
                    <td>
                      <code>{show(c.new)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        )}
      </td>
    </tr>
  );
}

export function AuditScreen({ organisation, project }: { organisation: number; project: number | null }) {
  const route = useRoute();
  const query = new URLSearchParams(route.split('?')[1] ?? '');
  const environmentParam = query.get('environment');
  const environment = project !== null && environmentParam && /^\d+$/.test(environmentParam) ? Number(environmentParam) : null;
  const search = query.get('search') ?? '';
  const page = Math.max(1, Number(query.get('page')) || 1);
  useFreshOnOpen(project === null ? `/api/v1/organisations/${organisation}/audit/` : `/api/v1/projects/${project}/audit/`);
  const log = useAuditLog({ organisation, project, environment, search, page });
  const projects = useProjects(organisation);
  const environments = useEnvironments(project);
  const [text, setText] = useState(search);

  const go = (change: { project?: number | null; environment?: number | null; search?: string; page?: number }) => {
    const p = change.project === undefined ? project : change.project;
    const next = new URLSearchParams();
    const env = change.project !== undefined ? null : change.environment === undefined ? environment : change.environment;
    if (env !== null) next.set('environment', String(env));
    const s = change.search ?? search;
    if (s) next.set('search', s);
    if (change.page && change.page > 1) next.set('page', String(change.page));
    const base = p === null ? `/organisations/${organisation}/audit` : `/organisations/${organisation}/projects/${p}/audit`;
    const qs = next.toString();
    navigate(qs ? `${base}?${qs}` : base);
  };

  const count = log.data?.count ?? 0;
  const first = (page - 1) * AUDIT_PAGE_SIZE + 1;
  const last = first + (log.data?.results.length ?? 0) - 1;
  const projectName = projects.data?.find((p) => p.id === project)?.name;
  return (
    <>
      <h1>
        Audit log<span class="subtitle"> of {project === null ? 'the organisation' : (projectName ?? '…')}</span>
      </h1>
      <form
        class="toolbar audit-filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go({ search: text.trim(), page: 1 });
        }}
      >
        <div class="switch-field">
          <label for="audit-project">Filter by project</label>
          <select
            id="audit-project"
            value={project === null ? '' : String(project)}
            onChange={(e) => go({ project: e.currentTarget.value ? Number(e.currentTarget.value) : null, page: 1 })}
          >
            <option value="">All projects</option>
            {(projects.data ?? []).map((p) => (
              <option key={p.id} value={String(p.id)}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div class="switch-field">
          <label for="audit-environment">Filter by environment</label>
          <select
            id="audit-environment"
            value={environment === null ? '' : String(environment)}
            disabled={project === null}
            onChange={(e) => go({ environment: e.currentTarget.value ? Number(e.currentTarget.value) : null, page: 1 })}
          >
            <option value="">All environments</option>
            {(environments.data ?? []).map((env) => (
              <option key={env.id} value={String(env.id)}>
                {env.name}
              </option>
            ))}
          </select>
        </div>
        <div class="search">
          <label for="audit-search">Search the log</label>
          <div class="search-box">
            <SearchIcon />
            <input id="audit-search" type="search" value={text} autoComplete="off" onInput={(e) => setText(e.currentTarget.value)} />
          </div>
        </div>
        <button type="submit" class="button">
          Search
        </button>
      </form>
      <p class="count" aria-live="polite">
        {log.data ? (count === 0 ? '' : `Entries ${first}–${last} of ${count}`) : ''}
      </p>
      {log.error && <Notice>{log.error.message}</Notice>}
      {log.loading && <p class="loading">Loading the audit log…</p>}
      {log.data && count === 0 && <p>{search ? `No entry mentions “${search}”.` : 'Nothing has been changed yet.'}</p>}
      {log.data && log.data.results.length > 0 && (
        <table class="table audit">
          <caption class="visually-hidden">Audit log, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Where</th>
              <th scope="col">What</th>
            </tr>
          </thead>
          <tbody>
            {log.data.results.map((entry) => (
              <Entry key={entry.id} entry={entry} />
            ))}
          </tbody>
        </table>
      )}
      {log.data && (log.data.previous || log.data.next) && (
        <nav class="pager" aria-label="Audit log pages">
          <button type="button" class="button" disabled={!log.data.previous} onClick={() => go({ page: page - 1 })}>
            Newer
          </button>
          <button type="button" class="button" disabled={!log.data.next} onClick={() => go({ page: page + 1 })}>
            Older
          </button>
        </nav>
      )}
    </>
  );
}
