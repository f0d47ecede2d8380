// One segment: its name, description and rules (new or existing), and below them its overrides
// in the environment of the address. Our checks run before the request; the API's own field
// errors land on the same fields; nothing typed is lost when a save fails.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { invalidate, update } from '../../api/cache';
import { ApiError } from '../../api/errors';
import { useEnvironments, useFeatures } from '../../api/resources';
import { segmentKeys, useSegment, type Segment } from '../../api/segments';
import { Field, FormError, Notice } from '../../components/field';
import { useSubmit } from '../../components/form';
import { Link } from '../../components/link';
import { navigate } from '../../router';
import { useFormEdits } from '../../components/unsaved';
import { DeleteSegmentDialog } from './delete-dialog';
import { SegmentOverrides } from './overrides';
import { RuleBuilder } from './rule-builder';
import { fieldPaths, fromApi, problems, toApi } from './rules';

function SegmentForm({
  base,
  project,
  segment,
  features,
}: {
  base: string;
  project: number;
  segment: Segment | null;
  /** The project's feature names, for conditions on another flag's state. */
  features: string[];
}) {
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [rules, setRules] = useState(() => fromApi(segment?.rules));
  const [deleting, setDeleting] = useState(false);
  const [saved, setSaved] = useState('');
  const edits = useFormEdits();
  const { busy, error, onSubmit, reset } = useSubmit(async () => {
    setSaved('');
    const ours = problems(rules);
    if (name.trim() === '') ours.name = ['Enter a name.'];
    if (Object.keys(ours).length > 0) {
      throw new ApiError(400, 'Check the fields marked above; nothing was saved.', ours);
    }
    const body = { name, description: description || null, rules: toApi(rules) };
    if (segment === null) {
      const created = await ok(api.POST('/api/v1/projects/{project}/segments/', { params: { path: { project } }, body }));
      await invalidate(segmentKeys.segments(project));
      navigate(`${base}/segments/${created.id}`, { force: true });
      return;
    }
    const changed = await ok(
      api.PUT('/api/v1/projects/{project}/segments/{id}/', { params: { path: { project, id: segment.id } }, body }),
    );
    update<Segment>(segmentKeys.one(project, segment.id), () => changed);
    void invalidate(segmentKeys.list(project));
    edits.saved();
    setSaved(`Segment ${changed.name} saved.`);
  });
  const shown = ['name', 'description', ...fieldPaths(rules)];
  return (
    <form onSubmit={onSubmit} noValidate class="segment-form" ref={edits.ref}>
      <section class="card" aria-labelledby="segment-about">
        <h2 id="segment-about">About</h2>
        <Field
          label="Name"
          name="name"
          idPrefix="segment"
          required
          autoComplete="off"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          error={error}
        />
        <Field
          label="Description"
          name="description"
          idPrefix="segment"
          autoComplete="off"
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
          error={error}
        />
      </section>
      <section class="card" aria-labelledby="segment-rules">
        <h2 id="segment-rules">Rules</h2>
        <p class="hint">
          An identity is in the segment when every top-level group matches. A group may hold conditions and one level
          of groups inside it.
        </p>
        <RuleBuilder
          rules={rules}
          features={features}
          error={error}
          onChange={(next, structural) => {
            // Errors are named by position; once positions move they would point at the wrong row.
            if (structural) reset();
            edits.changed();
            setRules(next);
          }}
        />
      </section>
      <FormError error={error} fields={shown} />
      <p class="visually-hidden" role="status">
        {saved}
      </p>
      <div class="actions segment-actions">
        {segment && (
          <button type="button" class="button danger" onClick={() => setDeleting(true)}>
            Delete segment
          </button>
        )}
        <span class="spacer" />
        {saved && <span class="saved">Saved</span>}
        <Link to={`${base}/segments`} class="button">
          {segment ? 'Back to segments' : 'Cancel'}
        </Link>
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Saving…' : segment ? 'Save segment' : 'Create segment'}
        </button>
      </div>
      <DeleteSegmentDialog
        segment={deleting ? segment : null}
        onClose={() => setDeleting(false)}
        onDeleted={() => navigate(`${base}/segments`, { force: true })}
      />
    </form>
  );
}

export function SegmentScreen({
  base,
  project,
  environment,
  segment,
}: {
  base: string;
  project: number;
  environment: string;
  /** null: a new segment. */
  segment: number | null;
}) {
  const loaded = useSegment(project, segment);
  const environments = useEnvironments(project);
  const current = environments.data?.find((e) => e.api_key === environment);
  const features = useFeatures(project, current?.id ?? null);
  const names = (features.data ?? []).map((f) => f.name);
  if (segment !== null && loaded.error) {
    return <Notice>{loaded.error.status === 404 ? 'This project has no such segment.' : loaded.error.message}</Notice>;
  }
  if (segment !== null && !loaded.data) return <p class="loading">Loading segment…</p>;
  const data = segment === null ? null : (loaded.data ?? null);
  return (
    <>
      <h1>
        {data ? (
          <>
            Segment<span class="subtitle"> {data.name}</span>
          </>
        ) : (
          'New segment'
        )}
      </h1>
      <SegmentForm key={data?.id ?? 'new'} base={base} project={project} segment={data} features={names} />
      {data && current && environments.data && (
        <SegmentOverrides
          base={base}
          project={project}
          segment={data}
          environment={current}
          environments={environments.data}
        />
      )}
      {environments.data && !current && <Notice>This project has no environment with that key.</Notice>}
    </>
  );
}
