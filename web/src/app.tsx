// Routes: the URL is the state (organisation, project and environment live in the path).
// A new screen area adds a route here and an entry in the sidebar (components/layout.tsx).
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { Layout, type Place } from './components/layout';
import { match, navigate, safeNext, useRoute, type Params } from './router';
import { loginRoute, useSignedIn } from './session';
import { FeaturesScreen } from './screens/features';
import { LoginScreen } from './screens/login';
import { SetupScreen } from './screens/setup';
import { lazy } from './lazy';

// Every other screen area is a chunk of its own, loaded on its first visit.
const EnvironmentsScreen = lazy(() => import('./screens/environments').then((m) => m.EnvironmentsScreen));
const IdentitiesScreen = lazy(() => import('./screens/identities').then((m) => m.IdentitiesScreen));
const IdentityScreen = lazy(() => import('./screens/identities/identity').then((m) => m.IdentityScreen));
const HomeScreen = lazy(() => import('./screens/organisations').then((m) => m.HomeScreen));
const OrganisationsScreen = lazy(() => import('./screens/organisations').then((m) => m.OrganisationsScreen));
const ProjectsScreen = lazy(() => import('./screens/projects').then((m) => m.ProjectsScreen));
const SegmentsScreen = lazy(() => import('./screens/segments').then((m) => m.SegmentsScreen));
const SegmentScreen = lazy(() => import('./screens/segments/segment-page').then((m) => m.SegmentScreen));
const AuditScreen = lazy(() => import('./screens/audit').then((m) => m.AuditScreen));
const KeysScreen = lazy(() => import('./screens/keys').then((m) => m.KeysScreen));
const OrganisationKeysScreen = lazy(() =>
  import('./screens/keys/organisation-keys').then((m) => m.OrganisationKeysScreen),
);
const UsageScreen = lazy(() => import('./screens/usage').then((m) => m.UsageScreen));
const AccountScreen = lazy(() => import('./screens/account').then((m) => m.AccountScreen));
const JoinScreen = lazy(() => import('./screens/join').then((m) => m.JoinScreen));
const PeopleScreen = lazy(() => import('./screens/people').then((m) => m.PeopleScreen));
const PermissionsScreen = lazy(() => import('./screens/permissions').then((m) => m.PermissionsScreen));
const EnvironmentSettingsScreen = lazy(() =>
  import('./screens/settings/environment').then((m) => m.EnvironmentSettingsScreen),
);
const OrganisationSettingsScreen = lazy(() =>
  import('./screens/settings/organisation').then((m) => m.OrganisationSettingsScreen),
);
const FeatureScreen = lazy(() => import('./screens/feature').then((m) => m.FeatureScreen));
const ProjectSettingsScreen = lazy(() =>
  import('./screens/settings/project').then((m) => m.ProjectSettingsScreen),
);

interface Screen {
  path: string;
  /** Sidebar entry marked current. */
  section: string;
  title: string;
  render: (p: Params) => ComponentChildren;
}

const ORG = '/organisations/:org';
const PROJECT = `${ORG}/projects/:project`;
const ENVIRONMENT = `${PROJECT}/environments/:environment`;
const identitiesRoute = (p: Params) =>
  `/organisations/${p.org}/projects/${p.project}/environments/${encodeURIComponent(p.environment)}/identities`;

/** The address of the environment in `p` (segments and other project screens hang under it). */
const environmentRoute = (p: Params) =>
  `/organisations/${p.org}/projects/${p.project}/environments/${encodeURIComponent(p.environment)}`;

const screens: Screen[] = [
  { path: '/', section: '', title: 'Flagstaff', render: () => <HomeScreen /> },
  { path: '/organisations', section: 'organisations', title: 'Organisations', render: () => <OrganisationsScreen /> },
  { path: ORG, section: 'projects', title: 'Projects', render: (p) => <ProjectsScreen organisation={Number(p.org)} /> },
  {
    path: PROJECT,
    section: 'environments',
    title: 'Environments',
    render: (p) => <EnvironmentsScreen organisation={Number(p.org)} project={Number(p.project)} />,
  },
  {
    path: `${ENVIRONMENT}/features`,
    section: 'features',
    title: 'Features',
    render: (p) => (
      <FeaturesScreen
        key={p.environment}
        organisation={Number(p.org)}
        project={Number(p.project)}
        environment={p.environment}
      />
    ),
  },
  {
    path: `${ENVIRONMENT}/keys`,
    section: 'keys',
    title: 'SDK keys',
    render: (p) => <KeysScreen key={p.environment} project={Number(p.project)} environment={p.environment} />,
  },
  {
    path: `${ENVIRONMENT}/usage`,
    section: 'usage',
    title: 'Usage',
    render: (p) => <UsageScreen key={p.environment} project={Number(p.project)} environment={p.environment} />,
  },
  {
    path: `${PROJECT}/audit`,
    section: 'audit',
    title: 'Audit log',
    render: (p) => <AuditScreen organisation={Number(p.org)} project={Number(p.project)} />,
  },
  {
    path: `${ORG}/audit`,
    section: 'audit',
    title: 'Audit log',
    render: (p) => <AuditScreen organisation={Number(p.org)} project={null} />,
  },
  {
    path: `${ORG}/api-keys`,
    section: 'organisation-keys',
    title: 'API keys',
    render: (p) => <OrganisationKeysScreen key={p.org} organisation={Number(p.org)} />,
  },
  {
    path: `${ENVIRONMENT}/identities`,
    section: 'identities',
    title: 'Identities',
    render: (p) => (
      <IdentitiesScreen key={p.environment} project={Number(p.project)} environment={p.environment} base={identitiesRoute(p)} />
    ),
  },
  {
    path: `${ENVIRONMENT}/identities/:identity`,
    section: 'identities',
    title: 'Identity',
    render: (p) => (
      <IdentityScreen
        key={`${p.environment}/${p.identity}`}
        project={Number(p.project)}
        environment={p.environment}
        identity={Number(p.identity)}
        base={identitiesRoute(p)}
      />
    ),
  },
  {
    path: `${ENVIRONMENT}/segments`,
    section: 'segments',
    title: 'Segments',
    render: (p) => <SegmentsScreen base={environmentRoute(p)} project={Number(p.project)} />,
  },
  {
    path: `${ENVIRONMENT}/segments/new`,
    section: 'segments',
    title: 'New segment',
    render: (p) => (
      <SegmentScreen base={environmentRoute(p)} project={Number(p.project)} environment={p.environment} segment={null} />
    ),
  },
  {
    path: `${ENVIRONMENT}/segments/:segment`,
    section: 'segments',
    title: 'Segment',
    render: (p) => (
      <SegmentScreen
        key={`${p.segment}-${p.environment}`}
        base={environmentRoute(p)}
        project={Number(p.project)}
        environment={p.environment}
        segment={Number(p.segment)}
      />
    ),
  },
  // Account, settings, people and permissions.
  { path: '/account', section: 'account', title: 'Your account', render: () => <AccountScreen /> },
  { path: '/join/:hash', section: '', title: 'Join', render: (p) => <JoinScreen hash={p.hash} kind="email" /> },
  { path: '/join/link/:hash', section: '', title: 'Join', render: (p) => <JoinScreen hash={p.hash} kind="link" /> },
  {
    path: `${ORG}/settings`,
    section: 'organisation-settings',
    title: 'Organisation settings',
    render: (p) => <OrganisationSettingsScreen organisation={Number(p.org)} />,
  },
  { path: `${ORG}/people`, section: 'people', title: 'People', render: (p) => <PeopleScreen organisation={Number(p.org)} /> },
  {
    path: `${ORG}/permissions`,
    section: 'permissions',
    title: 'Permissions',
    render: (p) => <PermissionsScreen organisation={Number(p.org)} />,
  },
  {
    path: `${PROJECT}/settings`,
    section: 'project-settings',
    title: 'Project settings',
    render: (p) => <ProjectSettingsScreen organisation={Number(p.org)} project={Number(p.project)} />,
  },
  {
    path: `${ENVIRONMENT}/settings`,
    section: 'environment-settings',
    title: 'Environment settings',
    render: (p) => (
      <EnvironmentSettingsScreen
        key={p.environment}
        organisation={Number(p.org)}
        project={Number(p.project)}
        environment={p.environment}
      />
    ),
  },
  {
    path: `${ENVIRONMENT}/features/:feature`,
    section: 'features',
    title: 'Feature',
    render: (p) => (
      <FeatureScreen
        key={`${p.environment}/${p.feature}`}
        organisation={Number(p.org)}
        project={Number(p.project)}
        environment={p.environment}
        feature={Number(p.feature)}
      />
    ),
  },
];

function placeOf(params: Params, section: string): Place {
  const number = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
  return {
    organisation: number(params.org),
    project: number(params.project),
    environment: params.environment ?? null,
    section,
  };
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function useTitle(title: string) {
  useEffect(() => {
    document.title = title === 'Flagstaff' ? title : `${title} · Flagstaff`;
  }, [title]);
}

/** After a navigation (not the first page), focus the main region, so a screen reader starts
 * reading the new screen and Tab continues from there, not from the link that was used. */
function useFocusOnNavigation(path: string) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus();
  }, [path]);
}

function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>There is no page at this address.</p>
    </>
  );
}

export function App() {
  const route = useRoute();
  const signedIn = useSignedIn();
  const query = new URLSearchParams(route.split('?')[1] ?? '');
  const login = match('/login', route);
  const setup = match('/setup', route);
  const found = screens
    .map((screen) => ({ screen, params: match(screen.path, route) }))
    .find((m) => m.params !== null);
  useTitle(login ? 'Log in' : setup ? 'Set up' : (found?.screen.title ?? 'Not found'));
  useFocusOnNavigation(route.split('?')[0]);

  if (setup) return <SetupScreen />;
  if (login) return signedIn ? <Redirect to={safeNext(query.get('next'))} /> : <LoginScreen next={query.get('next')} />;
  if (!signedIn) return <Redirect to={loginRoute(route)} />;
  if (!found || !found.params) {
    return (
      <Layout place={placeOf({}, '')}>
        <NotFound />
      </Layout>
    );
  }
  return <Layout place={placeOf(found.params, found.screen.section)}>{found.screen.render(found.params)}</Layout>;
}
