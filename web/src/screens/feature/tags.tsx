// The feature's tags: attach one of the project's tags, create a new one (label and colour) and
// attach it, or take one off. The feature's `tags` list is written whole with PATCH.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { invalidate } from '../../api/cache';
import { featureKeys, useTags, type Tag } from '../../api/feature';
import type { Feature } from '../../api/resources';
import { Field, FormError } from '../../components/field';
import { Select } from '../../components/field-more';
import { useSubmit } from '../../components/form';
import { refreshFeatures } from './actions';

/** A tag's colour as a dot (an SVG fill: the page's CSP allows no style attributes). */
export function TagChip({ tag, children }: { tag: Tag; children?: ComponentChildren }) {
  return (
    <span class="tag">
      <svg class="tag-dot" viewBox="0 0 10 10" aria-hidden="true" focusable="false">
        <circle cx="5" cy="5" r="5" fill={/^#[0-9a-f]{3,8}$/i.test(tag.color) ? tag.color : 'currentColor'} />
      </svg>
      {tag.label}
      {children}
    </span>
  );
}

async function setTags(feature: Feature, tags: number[]) {
  await ok(
    api.PATCH('/api/v1/projects/{project}/features/{id}/', {
      params: { path: { project: feature.project, id: feature.id } },
      body: { tags },
    }),
  );
  await refreshFeatures(feature.project);
}

export function TagsCard({ feature }: { feature: Feature }) {
  const tags = useTags(feature.project);
  const [message, setMessage] = useState('');
  const attached = (tags.data ?? []).filter((t) => feature.tags.includes(t.id));
  const free = (tags.data ?? []).filter((t) => !feature.tags.includes(t.id));
  const add = useSubmit(async (v) => {
    if (!v.tag) return;
    await setTags(feature, [...feature.tags, Number(v.tag)]);
    setMessage('Tag added.');
  });
  const create = useSubmit(async (v, form) => {
    const tag = await ok(
      api.POST('/api/v1/projects/{project}/tags/', {
        params: { path: { project: feature.project } },
        body: { label: v.label.trim(), color: v.color },
      }),
    );
    await invalidate(featureKeys.tags(feature.project));
    await setTags(feature, [...feature.tags, tag.id]);
    form.reset();
    setMessage(`Tag ${tag.label} created and added.`);
  });
  const remove = async (tag: Tag) => {
    try {
      await setTags(feature, feature.tags.filter((t) => t !== tag.id));
      setMessage(`Tag ${tag.label} removed.`);
    } catch (e) {
      setMessage(`Could not remove ${tag.label}: ${(e as Error).message}`);
    }
  };
  return (
    <section class="card" aria-labelledby="tags-heading">
      <h2 id="tags-heading">Tags</h2>
      {tags.error && <p class="form-error">{tags.error.message}</p>}
      {attached.length === 0 ? (
        <p class="muted">No tags.</p>
      ) : (
        <ul class="tags" aria-label="Tags of this feature">
          {attached.map((t) => (
            <li key={t.id}>
              <TagChip tag={t}>
                <button type="button" class="tag-remove" onClick={() => void remove(t)} aria-label={`Remove tag ${t.label}`}>
                  ×
                </button>
              </TagChip>
            </li>
          ))}
        </ul>
      )}
      <p class="visually-hidden" role="status">
        {message}
      </p>
      {free.length > 0 && (
        <form class="inline-form" onSubmit={add.onSubmit} noValidate>
          <Select label="Add a tag" name="tag" idPrefix="tags" error={add.error}>
            {free.map((t) => (
              <option key={t.id} value={String(t.id)}>
                {t.label}
              </option>
            ))}
          </Select>
          <button type="submit" class="button" disabled={add.busy}>
            Add tag
          </button>
        </form>
      )}
      <FormError error={add.error} fields={['tag']} />
      <form class="inline-form new-tag" onSubmit={create.onSubmit} noValidate>
        <Field label="New tag" name="label" idPrefix="tag" autoComplete="off" error={create.error} />
        <div class="field colour-field">
          <label for="tag-color">Colour</label>
          <input id="tag-color" name="color" type="color" defaultValue="#3d7dd8" />
        </div>
        <button type="submit" class="button" disabled={create.busy}>
          Create and add tag
        </button>
      </form>
      <FormError error={create.error} fields={['label']} />
    </section>
  );
}
