// A project's segments: search by name, open one to edit its rules and overrides, create, delete.
// Segments belong to the project; the environment in the address is the one whose overrides the
// segment's page shows.
import { useMemo, useState } from 'preact/hooks';
import { useSegments, type Segment } from '../api/segments';
import { Notice } from '../components/field';
import { PlusIcon, SearchIcon } from '../components/icons';
import { Link } from '../components/link';
import { DeleteSegmentDialog } from './segments/delete-dialog';
import { countConditions } from './segments/rules';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function SegmentsScreen({ base, project }: { base: string; project: number }) {
  const segments = useSegments(project);
  const [search, setSearch] = useState('');
  const [deleting, setDeleting] = useState<Segment | null>(null);
  const [message, setMessage] = useState('');
  const all = segments.data ?? [];
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return q ? all.filter((s) => s.name.toLowerCase().includes(q)) : all;
  }, [all, search]);
  const total = all.length;
  return (
    <>
      <div class="page-head">
        <h1>Segments</h1>
        <Link to={`${base}/segments/new`} class="button primary">
          <PlusIcon />
          Create segment
        </Link>
      </div>
      <p class="lead">
        A segment is a set of identities chosen by their traits. Override a feature for a segment to serve it a
        different value.
      </p>
      <div class="toolbar">
        <div class="search">
          <label for="segment-search">Search segments by name</label>
          <div class="search-box">
            <SearchIcon />
            <input
              id="segment-search"
              type="search"
              value={search}
              onInput={(e) => setSearch(e.currentTarget.value)}
              autoComplete="off"
            />
          </div>
        </div>
        <p class="count" aria-live="polite">
          {segments.data
            ? search
              ? `${shown.length} of ${count(total, 'segment', 'segments')}`
              : count(total, 'segment', 'segments')
            : ''}
        </p>
      </div>
      <p class="visually-hidden" role="status">
        {message}
      </p>
      {segments.error && <Notice>{segments.error.message}</Notice>}
      {segments.loading && <p class="loading">Loading segments…</p>}
      {segments.data && total === 0 && <p>No segments yet. Create the first one.</p>}
      {shown.length > 0 && (
        <table class="table segments">
          <caption class="visually-hidden">Segments</caption>
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col">Conditions</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((s) => (
              <tr key={s.id}>
                <th scope="row">
                  <Link to={`${base}/segments/${s.id}`} class="segment-name">
                    {s.name}
                  </Link>
                  {s.description && <span class="feature-description">{s.description}</span>}
                  {s.feature !== null && s.feature !== undefined && (
                    <span class="feature-description">Belongs to one feature</span>
                  )}
                </th>
                <td>{count(countConditions(s.rules), 'condition', 'conditions')}</td>
                <td>
                  <button type="button" class="button quiet small danger" onClick={() => setDeleting(s)}>
                    Delete<span class="visually-hidden"> {s.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {segments.data && total > 0 && shown.length === 0 && <p>No segment name contains “{search.trim()}”.</p>}
      <DeleteSegmentDialog
        segment={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={(s) => {
          setDeleting(null);
          setMessage(`Segment ${s.name} deleted.`);
        }}
      />
    </>
  );
}
