// Screens loaded on first visit: each screen area is its own chunk (a dynamic import), so the
// first load carries only the shell, login, setup and the features screen. A tiny loader
// instead of preact/compat's lazy + Suspense, which would add compat to the first load.
import type { ComponentType, FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function lazy<P>(load: () => Promise<ComponentType<P>>): FunctionComponent<P> {
  let loaded: ComponentType<P> | undefined;
  let loading: Promise<ComponentType<P>> | undefined;
  const start = () => {
    loading ??= load().then(
      (component) => (loaded = component),
      (error: unknown) => {
        // A later visit tries again (a network blip, or a new version deployed meanwhile).
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  return function Lazy(props: P) {
    const [failed, setFailed] = useState(false);
    const [, setReady] = useState(0);
    useEffect(() => {
      if (loaded) return undefined;
      let live = true;
      start().then(
        () => live && setReady((n) => n + 1),
        () => live && setFailed(true),
      );
      return () => {
        live = false;
      };
    }, []);
    if (loaded) {
      const Screen = loaded;
      return <Screen {...(props as P & object)} />;
    }
    if (failed) {
      return (
        <div class="notice" role="alert">
          <p>This screen could not be loaded. The dashboard may have been updated since this page was opened.</p>
          <button type="button" class="button" onClick={() => window.location.reload()}>
            Reload the page
          </button>
        </div>
      );
    }
    // Shown only when loading takes a moment (CSS delays it), so a fast load does not flash.
    return <p class="loading lazy-loading">Loading…</p>;
  };
}
