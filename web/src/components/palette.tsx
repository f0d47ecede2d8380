// The command palette: Ctrl-K (⌘K on macOS) or the top bar's button opens a search that goes to
// any screen, organisation, project, environment, and to the current project's features,
// segments and identities. A combobox: typing filters, arrows move, Enter goes, Escape closes.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import type { Identity } from '../api/identities';
import { useEnvironments, useFeatures, useOrganisations, useProjects, type Feature } from '../api/resources';
import { useSegments, type Segment } from '../api/segments';
import { navigate } from '../router';
import { Dialog } from './dialog';
import { SearchIcon } from './icons';
import type { Place } from './layout';
import { environmentOf, itemsOf, search, type Item } from './palette-items';

const mac = /Mac|iPhone|iPad/.test(navigator.userAgent);
const SHORTCUT = mac ? '⌘K' : 'Ctrl K';

/** Identities whose identifier contains what was typed, asked of the server once typing pauses. */
function useIdentitySearch(environment: string | undefined, typed: string) {
  const [found, setFound] = useState<{ q: string; list: Identity[] }>({ q: '', list: [] });
  const [state, setState] = useState<'' | 'searching' | 'failed'>('');
  const q = typed.trim();
  useEffect(() => {
    if (!environment || !q) {
      setState('');
      return undefined;
    }
    const abort = new AbortController();
    setState('searching');
    const timer = setTimeout(() => {
      ok(
        api.GET('/api/v1/environments/{api_key}/identities/', {
          params: { path: { api_key: environment }, query: { q, page_size: 10 } },
          signal: abort.signal,
        }),
      ).then(
        (page) => {
          setFound({ q, list: page.results });
          setState('');
        },
        () => !abort.signal.aborted && setState('failed'),
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [environment, q]);
  return { identities: found.q === q ? found.list : [], state };
}

interface Lists {
  features?: Feature[];
  segments?: Segment[];
  /** Still loading them. */
  loading: boolean;
}

/** In a project: its features (in this or the first environment) and segments, from the cache. */
function ProjectResults({ place, project, onGo }: { place: Place; project: number; onGo: (item: Item) => void }) {
  const environments = useEnvironments(project);
  const features = useFeatures(project, environmentOf(place, environments.data)?.id ?? null);
  const segments = useSegments(project);
  const lists = { features: features.data, segments: segments.data, loading: features.loading || segments.loading };
  return <Results place={place} lists={lists} onGo={onGo} />;
}

function Results({ place, lists, onGo }: { place: Place; lists: Lists; onGo: (item: Item) => void }) {
  const [typed, setTyped] = useState('');
  const [active, setActive] = useState(0);
  const organisations = useOrganisations();
  const projects = useProjects(place.organisation);
  const environments = useEnvironments(place.project);
  const environment = environmentOf(place, environments.data);
  const { identities, state } = useIdentitySearch(place.project === null ? undefined : environment?.api_key, typed);
  const all = useMemo(
    () =>
      itemsOf(place, {
        organisations: organisations.data,
        projects: projects.data,
        environments: environments.data,
        features: lists.features,
        segments: lists.segments,
        identities,
      }),
    [place, organisations.data, projects.data, environments.data, lists.features, lists.segments, identities],
  );
  const shown = useMemo(() => search(all, typed), [all, typed]);
  const current = Math.min(active, shown.length - 1);
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    list.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [current, shown]);

  const onKeyDown = (event: KeyboardEvent) => {
    const move = (to: number) => {
      event.preventDefault();
      if (shown.length > 0) setActive((to + shown.length) % shown.length);
    };
    if (event.key === 'ArrowDown') move(current + 1);
    else if (event.key === 'ArrowUp') move(current - 1);
    else if (event.key === 'Home' && event.ctrlKey) move(0);
    else if (event.key === 'End' && event.ctrlKey) move(shown.length - 1);
    else if (event.key === 'Enter') {
      event.preventDefault();
      if (shown[current]) onGo(shown[current]);
    }
  };
  const status =
    shown.length === 0
      ? typed.trim()
        ? state === 'searching' || lists.loading
          ? 'Searching…'
          : `Nothing matches “${typed.trim()}”.`
        : ''
      : `${shown.length} ${shown.length === 1 ? 'result' : 'results'}${state === 'searching' ? ', searching identities…' : ''}`;
  const optionId = (i: number) => `palette-option-${i}`;
  return (
    <>
      <div class="field palette-field">
        <label for="palette-input">Feature, segment, identity or screen</label>
        <div class="search-box">
          <SearchIcon />
          <input
            id="palette-input"
            type="text"
            role="combobox"
            aria-expanded="true"
            aria-controls="palette-results"
            aria-autocomplete="list"
            aria-activedescendant={shown.length > 0 ? optionId(current) : undefined}
            aria-describedby="palette-status"
            autoComplete="off"
            spellcheck={false}
            autoFocus
            value={typed}
            onInput={(e) => {
              setTyped(e.currentTarget.value);
              setActive(0);
            }}
            onKeyDown={onKeyDown}
          />
        </div>
      </div>
      <p id="palette-status" class="palette-status" aria-live="polite">
        {status}
        {state === 'failed' && ' Identities could not be searched.'}
      </p>
      <ul id="palette-results" class="palette-results" role="listbox" aria-label="Results" ref={list}>
        {shown.map((item, i) => (
          <li
            key={item.id}
            id={optionId(i)}
            role="option"
            aria-selected={i === current ? 'true' : 'false'}
            class="palette-option"
            // The input keeps the focus; a click still goes.
            onMouseDown={(e) => e.preventDefault()}
            onMouseMove={() => i !== current && setActive(i)}
            onClick={() => onGo(item)}
          >
            <span class="palette-kind">{item.kind}</span>{' '}
            <span class="palette-name">{item.name}</span>
            {item.detail && <span class="palette-detail"> {item.detail}</span>}
          </li>
        ))}
      </ul>
      <p class="hint palette-keys">↑ ↓ to move, Enter to go, Escape to close.</p>
    </>
  );
}

/** The top bar's button and the palette behind it, with its shortcut. */
export function CommandPalette({ place }: { place: Place }) {
  const [open, setOpen] = useState(false);
  const before = useRef<Element | null>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key.toLowerCase() !== 'k' || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      event.preventDefault();
      if (!open) before.current = document.activeElement;
      setOpen(true);
      document.getElementById('palette-input')?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  const chosen = useRef<Item | null>(null);
  // Runs once the dialog has closed (and given the focus back), so that a navigation's own focus
  // move (to the new screen) comes last.
  const close = () => {
    setOpen(false);
    const item = chosen.current;
    const back = before.current;
    chosen.current = null;
    before.current = null;
    if (item) {
      navigate(item.route);
      item.then?.();
    } else if (back instanceof HTMLElement && back.isConnected) back.focus();
  };
  const go = (item: Item) => {
    chosen.current = item;
    setOpen(false);
  };
  return (
    <>
      <button
        type="button"
        class="button quiet palette-button"
        aria-keyshortcuts={mac ? 'Meta+K' : 'Control+K'}
        onClick={(e) => {
          before.current = e.currentTarget;
          setOpen(true);
        }}
      >
        <SearchIcon />
        <span>Search…</span>
        <kbd>{SHORTCUT}</kbd>
      </button>
      <Dialog open={open} title="Go to" onClose={close}>
        {place.project === null ? (
          <Results place={place} lists={{ loading: false }} onGo={go} />
        ) : (
          <ProjectResults place={place} project={place.project} onGo={go} />
        )}
      </Dialog>
    </>
  );
}
