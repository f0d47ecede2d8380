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
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(route: string, options: { replace?: boolean } = {}): void {
  const url = href(route);
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
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
