// Client-side routes under the document's base path, so the dashboard works behind a reverse
// proxy at e.g. /flags/: a route is the part of location.pathname after that base.
import { useEffect, useState } from 'preact/hooks';

/** The base path with its trailing slash, e.g. "/" or "/flags/". */
export const basePath = new URL(document.baseURI).pathname.replace(/\/?$/, '/');

/** The current route ("/organisations/1") with its query string. */
export function currentRoute(): string {
  const { pathname, search } = window.location;
  const rest = pathname.startsWith(basePath) ? pathname.slice(basePath.length) : '';
  return `/${rest}${search}`;
}

/** The address of a route in the browser ("/x" -> "/flags/x"). */
export function href(route: string): string {
  return basePath + route.replace(/^\/+/, '');
}

const listeners = new Set<() => void>();

/**
 * Asked before the user leaves the current screen (a link, the sidebar, back or forward): true
 * lets the navigation happen now; false holds it, and the guard may call `proceed` later (after
 * "Leave without saving?"). Replacing navigations (redirects) and forced ones are not asked.
 */
export type LeaveGuard = (proceed: () => void) => boolean;
let guard: LeaveGuard | null = null;
export function setLeaveGuard(g: LeaveGuard | null): void {
  guard = g;
}

// Every entry this app writes carries its position in the history, so that a back or forward the
// guard holds can be undone (history.go the other way) and replayed after all.
const positionOf = (state: unknown): number | null => {
  const p = (state as { position?: unknown } | null)?.position;
  return typeof p === 'number' ? p : null;
};
let position = positionOf(window.history.state) ?? 0;
window.history.replaceState({ ...(window.history.state as object | null), position }, '');
/** Set while history.go undoes a held back/forward, and while a held one is replayed. */
let moving: 'undo' | 'replay' | null = null;

window.addEventListener('popstate', (event) => {
  // An entry the app did not write (the skip link's #main) counts as where we are.
  const to = positionOf(event.state) ?? position;
  const delta = to - position;
  if (moving === 'undo') {
    moving = null;
    return;
  }
  const replay = moving === 'replay';
  moving = null;
  const proceed = () => {
    moving = 'replay';
    window.history.go(delta);
  };
  if (!replay && delta !== 0 && guard && !guard(proceed)) {
    moving = 'undo';
    window.history.go(-delta);
    return;
  }
  position = to;
  listeners.forEach((l) => l());
});

export function navigate(route: string, options: { replace?: boolean; force?: boolean } = {}): void {
  // `force`: the screen's own save or delete moving on, not the user leaving unsaved changes.
  if (!options.replace && !options.force && guard && !guard(() => navigate(route, { ...options, force: true }))) {
    return;
  }
  const url = href(route);
  if (options.replace) window.history.replaceState({ position }, '', url);
  else {
    position += 1;
    window.history.pushState({ position }, '', url);
  }
  listeners.forEach((l) => l());
}

/** The current route; re-renders on navigation. */
export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const listener = () => setRoute(currentRoute());
    listeners.add(listener);
    // A child's effect may have navigated before this one subscribed.
    listener();
    return () => listeners.delete(listener);
  }, []);
  return route;
}

/** A safe "back to" route from a query parameter: a path on this site, nothing else. */
export function safeNext(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.includes('\\') ? value : '/';
}

export type Params = Record<string, string>;

/** Matches "/organisations/:org" against a route; the params, or null. */
export function match(pattern: string, route: string): Params | null {
  const path = route.split('?')[0].replace(/\/+$/, '') || '/';
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Params = {};
  for (let i = 0; i < want.length; i += 1) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}
