// A feature's name in the features list as a link to its own page, with its tags and an
// "Archived" mark after it (the tags are read once per project, only when a feature has some).
import { useTags } from '../../api/feature';
import type { Feature } from '../../api/resources';
import { Link } from '../../components/link';
import { currentRoute } from '../../router';
import { TagChip } from './tags';

function Tags({ feature }: { feature: Feature }) {
  const tags = useTags(feature.project);
  const mine = (tags.data ?? []).filter((t) => feature.tags.includes(t.id));
  if (mine.length === 0) return null;
  return (
    <span class="tags">
      <span class="visually-hidden">Tags:</span>
      {mine.map((t) => (
        <TagChip key={t.id} tag={t} />
      ))}
    </span>
  );
}

export function FeatureNameLink({ feature }: { feature: Feature }) {
  // The list's route is …/environments/KEY/features; the feature's page is one level below.
  const to = `${currentRoute().split('?')[0].replace(/\/+$/, '')}/${feature.id}`;
  return (
    <span class="feature-line">
      <Link to={to} class="feature-name">
        {feature.name}
      </Link>
      {feature.is_archived && <span class="badge">Archived</span>}
      {feature.tags.length > 0 && <Tags feature={feature} />}
    </span>
  );
}
