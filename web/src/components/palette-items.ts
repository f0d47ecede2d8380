// What the command palette can go to, and how well each entry matches what was typed.
import type { Environment, Feature, Organisation, Project } from '../api/resources';
import type { Segment } from '../api/segments';
import type { Identity } from '../api/identities';
import type { Place } from './layout';

export type Kind = 'Screen' | 'Organisation' | 'Project' | 'Environment' | 'Feature' | 'Segment' | 'Identity';

export interface Item {
  id: string;
  kind: Kind;
  name: string;
  /** Where it is, e.g. "in Production". */
  detail?: string;
  /** More words it answers to ("settings", "members"). */
  words?: string;
  route: string;
  /** Runs once the route is shown (a feature fills in the features screen's search). */
  then?: () => void;
}

export interface Known {
  organisations?: Organisation[];
  projects?: Project[];
  environments?: Environment[];
  features?: Feature[];
  segments?: Segment[];
  identities?: Identity[];
}

/** The environment screens and items of this environment (or, outside one, the first) open in. */
export function environmentOf(place: Place, environments: Environment[] | undefined): Environment | undefined {
  return environments?.find((e) => e.api_key === place.environment) ?? environments?.[0];
}

export function itemsOf(place: Place, known: Known): Item[] {
  const items: Item[] = [];
  const screen = (name: string, route: string, detail?: string, words?: string) =>
    items.push({ id: `screen:${route}:${name}`, kind: 'Screen', name, route, detail, words });
  const org = place.organisation;
  const orgRoute = org === null ? null : `/organisations/${org}`;
  const project = known.projects?.find((p) => p.id === place.project);
  const projectRoute = orgRoute && place.project !== null ? `${orgRoute}/projects/${place.project}` : null;
  const environment = environmentOf(place, known.environments);
  const envRoute = projectRoute && environment ? `${projectRoute}/environments/${encodeURIComponent(environment.api_key)}` : null;
  const inEnv = environment ? `in ${environment.name}` : undefined;

  if (envRoute) {
    screen('Features', `${envRoute}/features`, inEnv, 'flags');
    screen('Identities', `${envRoute}/identities`, inEnv, 'users traits');
    screen('SDK keys', `${envRoute}/keys`, inEnv, 'api connect');
    screen('Usage', `${envRoute}/usage`, inEnv, 'analytics evaluations');
    screen('Environment settings', `${envRoute}/settings`, inEnv, 'clone delete');
    screen('Segments', `${envRoute}/segments`, project && `of ${project.name}`, 'rules overrides');
  }
  if (projectRoute) {
    screen('Audit log', `${projectRoute}/audit`, project && `of ${project.name}`, 'history changes');
    screen('Manage environments', projectRoute, project && `of ${project.name}`);
    screen('Project settings', `${projectRoute}/settings`, project && `of ${project.name}`, 'delete');
  }
  if (orgRoute) {
    const of = known.organisations?.find((o) => o.id === org)?.name;
    const detail = of && `of ${of}`;
    screen('Projects', orgRoute, detail);
    screen('People', `${orgRoute}/people`, detail, 'members users invites groups');
    screen('Permissions', `${orgRoute}/permissions`, detail, 'roles access');
    screen('API keys', `${orgRoute}/api-keys`, detail, 'organisation keys tokens');
    screen('Organisation settings', `${orgRoute}/settings`, detail, 'delete rename');
    screen(projectRoute ? 'Audit log of the organisation' : 'Audit log', `${orgRoute}/audit`, detail, 'history');
  }
  screen('All organisations', '/organisations');
  screen('Your account', '/account', undefined, 'password profile me');

  for (const o of known.organisations ?? []) {
    items.push({ id: `org:${o.id}`, kind: 'Organisation', name: o.name, route: `/organisations/${o.id}` });
  }
  for (const p of known.projects ?? []) {
    items.push({ id: `project:${p.id}`, kind: 'Project', name: p.name, route: `/organisations/${p.organisation}/projects/${p.id}` });
  }
  for (const e of projectRoute ? (known.environments ?? []) : []) {
    const route = `${projectRoute}/environments/${encodeURIComponent(e.api_key)}/features`;
    items.push({ id: `env:${e.api_key}`, kind: 'Environment', name: e.name, detail: 'features', route });
  }
  if (envRoute) {
    for (const f of known.features ?? []) {
      items.push({ id: `feature:${f.id}`, kind: 'Feature', name: f.name, detail: inEnv, route: `${envRoute}/features/${f.id}` });
    }
    for (const s of known.segments ?? []) {
      items.push({ id: `segment:${s.id}`, kind: 'Segment', name: s.name, route: `${envRoute}/segments/${s.id}` });
    }
    for (const i of known.identities ?? []) {
      items.push({ id: `identity:${i.id}`, kind: 'Identity', name: i.identifier, detail: inEnv, route: `${envRoute}/identities/${i.id}` });
    }
  }
  return items;
}

/** How well `text` answers `query` (both lower case): 0 not at all, higher is better. */
function score(query: string, text: string): number {
  if (text === query) return 100;
  if (text.startsWith(query)) return 80;
  const at = text.indexOf(query);
  if (at > 0) return /[\s_\-./:]/.test(text[at - 1]) ? 60 : 40;
  // Fuzzy: the letters in order ("chkv2" finds checkout_v2).
  let i = 0;
  for (const c of text) if (c === query[i]) i += 1;
  return i === query.length ? 10 : 0;
}

const ORDER: Kind[] = ['Screen', 'Feature', 'Segment', 'Identity', 'Environment', 'Project', 'Organisation'];

/** The items that match, best first; with nothing typed, the screens. */
export function search(items: Item[], typed: string, limit = 50): Item[] {
  const query = typed.trim().toLowerCase();
  if (!query) return items.filter((i) => i.kind === 'Screen').slice(0, limit);
  return items
    .map((item) => {
      const name = score(query, item.name.toLowerCase());
      const words = item.words ? Math.min(score(query, item.words), 30) : 0;
      // The server found these identities by its own rules: keep them, if low.
      const server = item.kind === 'Identity' ? 5 : 0;
      return { item, score: Math.max(name, words, server) };
    })
    .filter((m) => m.score > 0)
    .sort(
      (a, b) =>
        b.score - a.score ||
        ORDER.indexOf(a.item.kind) - ORDER.indexOf(b.item.kind) ||
        a.item.name.localeCompare(b.item.name),
    )
    .slice(0, limit)
    .map((m) => m.item);
}
