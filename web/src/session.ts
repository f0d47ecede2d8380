// The login token (kept in localStorage) and what happens when it stops working.
import { useEffect, useState } from 'preact/hooks';
import { clearCache } from './api/cache';
import { currentRoute, navigate } from './router';

const KEY = 'flagstaff.token';
const listeners = new Set<() => void>();

function read(): string | null {
  try {
    return window.localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

function write(token: string | null): void {
  try {
    if (token) window.localStorage.setItem(KEY, token);
    else window.localStorage.removeItem(KEY);
  } catch {
    // Storage disabled: the session lasts as long as the page.
  }
  memory = token;
  // The next user must not see this one's data.
  if (token === null) clearCache();
  listeners.forEach((l) => l());
}

let memory = read();

export const session = {
  token: (): string | null => memory,
  signIn: (token: string): void => write(token),
  signOut: (): void => write(null),
  /** A call answered 401: log out and come back here after the next login. */
  expired(): void {
    if (memory === null) return;
    write(null);
    const here = currentRoute();
    if (!here.startsWith('/login')) navigate(loginRoute(here), { replace: true });
  },
};

/** The login screen's route, coming back to `next` afterwards. */
export function loginRoute(next: string): string {
  return next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}

/** Whether someone is logged in; re-renders when that changes. */
export function useSignedIn(): boolean {
  const [signedIn, setSignedIn] = useState(memory !== null);
  useEffect(() => {
    const listener = () => setSignedIn(memory !== null);
    listeners.add(listener);
    listener();
    return () => listeners.delete(listener);
  }, []);
  return signedIn;
}
