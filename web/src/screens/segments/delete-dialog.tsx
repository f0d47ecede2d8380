// Deleting a segment takes its overrides with it, so the name must be typed to confirm.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client';
import { invalidate } from '../../api/cache';
import { ApiError } from '../../api/errors';
import { segmentKeys, type Segment } from '../../api/segments';
import { Dialog } from '../../components/dialog';
import { Field, FormError } from '../../components/field';
import { useSubmit } from '../../components/form';

export function DeleteSegmentDialog({
  segment,
  onClose,
  onDeleted,
}: {
  segment: Segment | null;
  onClose: () => void;
  onDeleted: (segment: Segment) => void;
}) {
  const [typed, setTyped] = useState('');
  const { busy, error, onSubmit, reset } = useSubmit(async () => {
    if (!segment) return;
    if (typed !== segment.name) {
      throw new ApiError(400, undefined, { confirm: ['Type the name exactly as shown.'] });
    }
    await ok(
      api.DELETE('/api/v1/projects/{project}/segments/{id}/', {
        params: { path: { project: segment.project, id: segment.id } },
      }),
    );
    setTyped('');
    onDeleted(segment);
    await Promise.all([invalidate(segmentKeys.segments(segment.project)), invalidate(segmentKeys.featureSegments)]);
  });
  const close = () => {
    reset();
    setTyped('');
    onClose();
  };
  return (
    <Dialog open={segment !== null} title="Delete segment" onClose={close}>
      <form onSubmit={onSubmit} noValidate>
        <p>
          Deleting <strong>{segment?.name}</strong> also removes its overrides in every environment. This cannot be
          undone.
        </p>
        <Field
          label={`Type ${segment?.name ?? ''} to confirm`}
          name="confirm"
          idPrefix="delete-segment"
          autoComplete="off"
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
          error={error}
        />
        <FormError error={error} fields={['confirm']} />
        <div class="actions">
          <button type="button" class="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" class="button danger-solid" disabled={busy}>
            {busy ? 'Deleting…' : 'Delete segment'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
