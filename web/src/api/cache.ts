// Server state: a small cache keyed by URL. Screens read through useResource; writes call
// invalidate (refetch) or update (set the new value at once, e.g. a toggled flag).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, toApiError } from './errors';

interface Entry {
  data?: unknown;
  error?: ApiError;
  loading?: Promise<void>;
  load: () => Promise<unknown>;
  listeners: Set<() => void>;
}

const entries = new Map<string, Entry>();

function fetchEntry(key: string, entry: Entry): Promise<void> {
  const loading = entry
    .load()
    .then(
      (data) => {
        entry.data = data;
        entry.error = undefined;
      },
      (error: unknown) => {
        entry.error = error instanceof ApiError ? error : toApiError(0, undefined);
      },
    )
    .finally(() => {
      if (entry.loading === loading) entry.loading = undefined;
      if (entries.get(key) === entry) entry.listeners.forEach((l) => l());
    });
  entry.loading = loading;
  return loading;
}

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
}

/** The value at `key` (null: nothing to load yet), loaded once and shared by every reader. */
export function useResource<T>(key: string | null, load: () => Promise<T>): Resource<T> {
  const [, rerender] = useState(0);
  useEffect(() => {
    if (key === null) return undefined;
    let entry = entries.get(key);
    if (!entry) {
      entry = { load, listeners: new Set() };
      entries.set(key, entry);
    }
    const listener = () => rerender((n) => n + 1);
    entry.listeners.add(listener);
    if (entry.data === undefined && !entry.loading && !entry.error) void fetchEntry(key, entry);
    listener();
    return () => entry.listeners.delete(listener);
  }, [key]);
  const entry = key === null ? undefined : entries.get(key);
  return {
    data: entry?.data as T | undefined,
    error: entry?.error,
    loading: key !== null && (!entry || entry.loading !== undefined || entry.data === undefined) && !entry?.error,
  };
}

/** Refetches every cached value whose key starts with `prefix` (after a write). */
export function invalidate(prefix: string): Promise<void> {
  const pending: Promise<void>[] = [];
  for (const [key, entry] of entries) {
    if (!key.startsWith(prefix)) continue;
    if (entry.listeners.size === 0) entries.delete(key);
    else pending.push(fetchEntry(key, entry));
  }
  return Promise.all(pending).then(() => undefined);
}

/** Replaces a cached value in place and tells its readers. */
export function update<T>(key: string, change: (old: T) => T): void {
  const entry = entries.get(key);
  if (!entry || entry.data === undefined) return;
  entry.data = change(entry.data as T);
  entry.listeners.forEach((l) => l());
}

/** Forgets everything (logout: the next user must not see this one's data). */
export function clearCache(): void {
  entries.clear();
}
