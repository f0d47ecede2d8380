// An environment's identities: searched on the server (`q`), a page at a time, created by
// identifier and deleted after typing it. The search and the page live in the URL.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok } from '../api/client';
import { invalidate } from '../api/cache';
import { IDENTITIES_PAGE_SIZE, identityKeys, useIdentityPage, type Identity } from '../api/identities';
import { useEnvironments } from '../api/resources';
import { Dialog } from '../components/dialog';
import { Field, FormError, Notice } from '../components/field';
import { useSubmit } from '../components/form';
import { PlusIcon, SearchIcon } from '../components/icons';
import { Link } from '../components/link';
import { navigate, useRoute } from '../router';
import { ConfirmDialog } from './identities/confirm';

const count = (n: number) => `${n} ${n === 1 ? 'identity' : 'identities'}`;

function CreateIdentityDialog({
  open,
  environment,
  base,
  onClose,
}: {
  open: boolean;
  environment: string;
  base: string;
  onClose: () => void;
}) {
  const { busy, error, onSubmit, reset } = useSubmit(async (v) => {
    const created = await ok(
      api.POST('/api/v1/environments/{api_key}/identities/', {
        params: { path: { api_key: environment } },
        body: { identifier: v.identifier },
      }),
    );
    await invalidate(identityKeys.all(environment));
    onClose();
    navigate(`${base}/${created.id}`);
  });
  const close = () => {
    reset();
    onClose();
  };
  return (
    <Dialog open={open} title="Create identity" onClose={close}>
      <form onSubmit={onSubmit} noValidate>
        <Field
          label="Identifier"
          name="identifier"
          idPrefix="identity"
          hint="The id your application passes to the SDK, e.g. a user id."
          required
          autoComplete="off"
          error={error}
        />
        <FormError error={error} fields={['identifier']} />
        <div class="actions">
          <button type="button" class="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create identity'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The search box: updates the URL a moment after typing stops (or at once on Enter). */
function Search({ q, onSearch }: { q: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState(q);
  const timer = useRef<number>();
  useEffect(() => setText(q), [q]);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const later = (value: string) => {
    setText(value);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => onSearch(value.trim()), 300);
  };
  return (
    <form
      class="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        window.clearTimeout(timer.current);
        onSearch(text.trim());
      }}
    >
      <label for="identity-search">Search identities by identifier</label>
      <div class="search-box">
        <SearchIcon />
        <input
          id="identity-search"
          type="search"
          value={text}
          onInput={(e) => later(e.currentTarget.value)}
          autoComplete="off"
          spellcheck={false}
        />
      </div>
    </form>
  );
}

export function IdentitiesScreen({ project, environment, base }: { project: number; environment: string; base: string }) {
  const route = useRoute();
  const query = new URLSearchParams(route.split('?')[1] ?? '');
  const q = query.get('q') ?? '';
  const page = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1);
  const environments = useEnvironments(project);
  const current = environments.data?.find((e) => e.api_key === environment);
  const identities = useIdentityPage(environment, q, page);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Identity | null>(null);

  const go = (nextQ: string, nextPage: number) => {
    const params = new URLSearchParams();
    if (nextQ) params.set('q', nextQ);
    if (nextPage > 1) params.set('page', String(nextPage));
    const search = params.toString();
    navigate(`${base}${search ? `?${search}` : ''}`, { replace: nextQ !== q });
  };

  if (environments.data && !current) return <Notice>This project has no environment with that key.</Notice>;
  const data = identities.data;
  const pages = data ? Math.max(1, Math.ceil(data.count / IDENTITIES_PAGE_SIZE)) : 1;
  return (
    <>
      <div class="page-head">
        <h1>
          Identities<span class="subtitle"> in {current?.name ?? '…'}</span>
        </h1>
        <button type="button" class="button primary" onClick={() => setCreating(true)}>
          <PlusIcon />
          Create identity
        </button>
      </div>
      <div class="toolbar">
        <Search q={q} onSearch={(value) => go(value, 1)} />
        <p class="count" aria-live="polite">
          {data ? (q ? `${count(data.count)} match “${q}”` : count(data.count)) : ''}
        </p>
      </div>
      {identities.error && <Notice>{identities.error.message}</Notice>}
      {identities.loading && <p class="loading">Loading identities…</p>}
      {data && data.count === 0 && !q && (
        <p>No identities yet. They appear when an SDK identifies a user, or create one here.</p>
      )}
      {data && data.results.length === 0 && (q || data.count > 0) && (
        <p>{q ? `No identifier contains “${q}”.` : 'There is nothing on this page.'}</p>
      )}
      {data && data.results.length > 0 && (
        <table class="table identities">
          <caption class="visually-hidden">Identities in {current?.name}</caption>
          <thead>
            <tr>
              <th scope="col">Identifier</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.results.map((identity) => (
              <tr key={identity.id}>
                <th scope="row">
                  <Link to={`${base}/${identity.id}`} class="identifier">
                    {identity.identifier}
                  </Link>
                </th>
                <td>
                  <button type="button" class="button quiet small" onClick={() => setDeleting(identity)}>
                    Delete<span class="visually-hidden"> {identity.identifier}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && pages > 1 && (
        <nav class="pager" aria-label="Pages of identities">
          <button type="button" class="button small" disabled={page <= 1} onClick={() => go(q, page - 1)}>
            Previous page
          </button>
          <span>
            Page {page} of {pages}
          </span>
          <button type="button" class="button small" disabled={!data.next} onClick={() => go(q, page + 1)}>
            Next page
          </button>
        </nav>
      )}
      <CreateIdentityDialog open={creating} environment={environment} base={base} onClose={() => setCreating(false)} />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete identity"
        action="Delete identity"
        typed={deleting?.identifier}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await ok(
            api.DELETE('/api/v1/environments/{api_key}/identities/{id}/', {
              params: { path: { api_key: environment, id: deleting.id } },
            }),
          );
          await invalidate(identityKeys.all(environment));
        }}
      >
        <p>
          <strong>{deleting?.identifier}</strong> loses its traits and overrides. An SDK that identifies it again
          creates a new, empty identity.
        </p>
      </ConfirmDialog>
    </>
  );
}
