// The frame every signed-in screen sits in: a top bar (organisation, project, user) and a sidebar
// whose sections later screens (segments, identities, keys, people, audit log, usage) join.
import type { ComponentChildren } from 'preact';
import { api } from '../api/client';
import {
  useEnvironments,
  useMe,
  useOrganisations,
  useProjects,
  type Environment,
} from '../api/resources';
import { navigate } from '../router';
import { session } from '../session';
import { FlagIcon, FolderIcon, LayersIcon, LogoutIcon, UsersIcon } from './icons';
import { ChartIcon, HistoryIcon, KeyIcon } from './icons-keys';
import { UsersIcon as SegmentIcon } from './segment-icons';
import { KeyIcon as PermissionsIcon, PeopleIcon, SettingsIcon } from './admin-icons';
import { Link } from './link';
import { CommandPalette } from './palette';
import { LeavePrompt } from './unsaved';

export interface Place {
  organisation: number | null;
  project: number | null;
  environment: string | null;
  /** The sidebar entry to mark as current. */
  section: string;
}

async function logout() {
  try {
    await api.DELETE('/api/v1/auth/token/');
  } finally {
    session.signOut();
    navigate('/login');
  }
}

function NavItem({ to, current, children }: { to: string; current: boolean; children: ComponentChildren }) {
  return (
    <li>
      <Link to={to} aria-current={current ? 'page' : undefined}>
        {children}
      </Link>
    </li>
  );
}

function Sidebar({ place, environments }: { place: Place; environments: Environment[] | undefined }) {
  const org = place.organisation;
  const projectRoute = org !== null && place.project !== null ? `/organisations/${org}/projects/${place.project}` : null;
  // Segments belong to the project; their page shows overrides in this (or the first) environment.
  const segmentsEnvironment = place.environment ?? environments?.[0]?.api_key ?? null;
  return (
    <nav class="sidebar-nav" aria-label="Sections">
      {projectRoute && (
        <>
          <h2 class="nav-heading">Environments</h2>
          <ul>
            {(environments ?? []).map((e) => (
              <NavItem
                key={e.api_key}
                to={`${projectRoute}/environments/${e.api_key}/features`}
                current={place.section === 'features' && place.environment === e.api_key}
              >
                <FlagIcon />
                {e.name}
              </NavItem>
            ))}
            <NavItem to={projectRoute} current={place.section === 'environments'}>
              <LayersIcon />
              Manage environments
            </NavItem>
            <NavItem to={`${projectRoute}/settings`} current={place.section === 'project-settings'}>
              <SettingsIcon />
              Project settings
            </NavItem>
          </ul>
          {place.environment !== null && (
            <>
              <h2 class="nav-heading">
                {environments?.find((e) => e.api_key === place.environment)?.name ?? 'Environment'}
              </h2>
              <ul>
                <NavItem
                  to={`${projectRoute}/environments/${place.environment}/identities`}
                  current={place.section === 'identities'}
                >
                  <UsersIcon />
                  Identities
                </NavItem>
                <NavItem to={`${projectRoute}/environments/${place.environment}/keys`} current={place.section === 'keys'}>
                  <KeyIcon />
                  SDK keys
                </NavItem>
                <NavItem to={`${projectRoute}/environments/${place.environment}/usage`} current={place.section === 'usage'}>
                  <ChartIcon />
                  Usage
                </NavItem>
              </ul>
            </>
          )}
          <h2 class="nav-heading">Project</h2>
          <ul>
            {segmentsEnvironment && (
              <NavItem
                to={`${projectRoute}/environments/${segmentsEnvironment}/segments`}
                current={place.section === 'segments'}
              >
                <SegmentIcon />
                Segments
              </NavItem>
            )}
            <NavItem to={`${projectRoute}/audit`} current={place.section === 'audit'}>
              <HistoryIcon />
              Audit log
            </NavItem>
          </ul>
        </>
      )}
      <h2 class="nav-heading">Organisation</h2>
      <ul>
        {org !== null && (
          <NavItem to={`/organisations/${org}`} current={place.section === 'projects'}>
            <FolderIcon />
            Projects
          </NavItem>
        )}
        {org !== null && (
          <>
            <NavItem to={`/organisations/${org}/people`} current={place.section === 'people'}>
              <PeopleIcon />
              People
            </NavItem>
            <NavItem to={`/organisations/${org}/permissions`} current={place.section === 'permissions'}>
              <PermissionsIcon />
              Permissions
            </NavItem>
            <NavItem to={`/organisations/${org}/api-keys`} current={place.section === 'organisation-keys'}>
              <KeyIcon />
              API keys
            </NavItem>
            <NavItem to={`/organisations/${org}/settings`} current={place.section === 'organisation-settings'}>
              <SettingsIcon />
              Organisation settings
            </NavItem>
          </>
        )}
        <NavItem to="/organisations" current={place.section === 'organisations'}>
          <LayersIcon />
          All organisations
        </NavItem>
      </ul>
    </nav>
  );
}

export function Layout({ place, children }: { place: Place; children: ComponentChildren }) {
  const me = useMe();
  const organisations = useOrganisations();
  const projects = useProjects(place.organisation);
  const environments = useEnvironments(place.project);
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link to="/" class="brand">
          <FlagIcon />
          Flagstaff
        </Link>
        <div class="switchers">
          {organisations.data && organisations.data.length > 0 && (
            <div class="switch">
              <label for="switch-organisation">Organisation</label>
              <select
                id="switch-organisation"
                value={place.organisation === null ? '' : String(place.organisation)}
                onChange={(e) => navigate(`/organisations/${e.currentTarget.value}`)}
              >
                {place.organisation === null && <option value="">Choose…</option>}
                {organisations.data.map((o) => (
                  <option key={o.id} value={String(o.id)}>
                    {o.name}
                  </option>
                ))}
              </select>
            </div>
          )}
          {place.organisation !== null && projects.data && projects.data.length > 0 && (
            <div class="switch">
              <label for="switch-project">Project</label>
              <select
                id="switch-project"
                value={place.project === null ? '' : String(place.project)}
                onChange={(e) =>
                  navigate(`/organisations/${place.organisation}/projects/${e.currentTarget.value}`)
                }
              >
                {place.project === null && <option value="">Choose…</option>}
                {projects.data.map((p) => (
                  <option key={p.id} value={String(p.id)}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
          )}
        </div>
        <CommandPalette place={place} />
        <div class="user">
          {me.data && (
            <Link to="/account" class="user-email" aria-current={place.section === 'account' ? 'page' : undefined}>
              <span class="visually-hidden">Your account: </span>
              {me.data.email}
            </Link>
          )}
          <button type="button" class="button quiet" onClick={() => void logout()}>
            <LogoutIcon />
            Log out
          </button>
        </div>
      </header>
      <aside class="sidebar">
        <Sidebar place={place} environments={environments.data} />
      </aside>
      <main id="main" class="content" tabIndex={-1}>
        {children}
      </main>
      <LeavePrompt />
    </div>
  );
}
