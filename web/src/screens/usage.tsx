// Usage: how often SDKs evaluated one feature in this environment, per day (UTC), from the
// counts SDKs report to /api/v1/analytics/flags/. Feature and period live in the URL.
import { invalidate } from '../api/cache';
import { keyKeys, useEvaluations, useFreshOnOpen, type Evaluation } from '../api/keys';
import { useEnvironments, useFeatures } from '../api/resources';
import { Notice } from '../components/field';
import { navigate, useRoute } from '../router';
import { BarChart, type Day } from './usage/chart';

const PERIODS: Record<string, { label: string; days: number }> = {
  '24h': { label: 'Last 24 hours', days: 1 },
  '7d': { label: 'Last 7 days', days: 7 },
  '30d': { label: 'Last 30 days', days: 30 },
  '90d': { label: 'Last 90 days', days: 90 },
};

/** One bar per day of the period (UTC), the counts of every label set summed, missing days as 0. */
export function perDay(rows: Evaluation[], days: number, today = new Date()): Day[] {
  const sums = new Map<string, number>();
  for (const r of rows) sums.set(r.day, (sums.get(r.day) ?? 0) + r.count);
  const out: Day[] = [];
  for (let i = days - 1; i >= 0; i -= 1) {
    const day = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i))
      .toISOString()
      .slice(0, 10);
    out.push({ day, count: sums.get(day) ?? 0 });
  }
  return out;
}

export function UsageScreen({ project, environment }: { project: number; environment: string }) {
  const route = useRoute();
  const query = new URLSearchParams(route.split('?')[1] ?? '');
  const environments = useEnvironments(project);
  const current = environments.data?.find((e) => e.api_key === environment);
  const features = useFeatures(project, current?.id ?? null);
  const period = query.get('period') && PERIODS[query.get('period') ?? ''] ? (query.get('period') as string) : '7d';
  const wanted = Number(query.get('feature'));
  const feature = features.data?.find((f) => f.id === wanted) ?? features.data?.[0];
  useFreshOnOpen(feature ? `/api/v1/projects/${project}/features/${feature.id}/evaluation-data/` : null);
  const data = useEvaluations(project, feature?.id ?? null, current?.id ?? null, period);
  const here = route.split('?')[0];
  const go = (change: { feature?: number; period?: string }) => {
    const next = new URLSearchParams({ feature: String(change.feature ?? feature?.id ?? ''), period: change.period ?? period });
    navigate(`${here}?${next.toString()}`, { replace: true });
  };
  const days = data.data ? perDay(data.data, PERIODS[period].days) : [];
  const total = days.reduce((sum, d) => sum + d.count, 0);

  if (environments.data && !current) return <Notice>This project has no environment with that key.</Notice>;
  return (
    <>
      <div class="page-head">
        <h1>
          Usage<span class="subtitle"> in {current?.name ?? '…'}</span>
        </h1>
        <button
          type="button"
          class="button"
          disabled={!feature || !current}
          onClick={() => feature && current && void invalidate(keyKeys.evaluations(project, feature.id, current.id, period))}
        >
          Refresh
        </button>
      </div>
      <p>Flag evaluations reported by SDKs with analytics turned on, per day (UTC).</p>
      {(features.error || environments.error) && <Notice>{(features.error ?? environments.error)?.message}</Notice>}
      {features.data && features.data.length === 0 && <p>This project has no feature yet.</p>}
      {feature && (
        <div class="toolbar usage-filters">
          <div class="switch-field">
            <label for="usage-feature">Feature</label>
            <select id="usage-feature" value={String(feature.id)} onChange={(e) => go({ feature: Number(e.currentTarget.value) })}>
              {(features.data ?? []).map((f) => (
                <option key={f.id} value={String(f.id)}>
                  {f.name}
                </option>
              ))}
            </select>
          </div>
          <div class="switch-field">
            <label for="usage-period">Period</label>
            <select id="usage-period" value={period} onChange={(e) => go({ period: e.currentTarget.value })}>
              {Object.entries(PERIODS).map(([value, p]) => (
                <option key={value} value={value}>
                  {p.label}
                </option>
              ))}
            </select>
          </div>
          <p class="count usage-total" aria-live="polite">
            {data.data ? `${total} ${total === 1 ? 'evaluation' : 'evaluations'}` : ''}
          </p>
        </div>
      )}
      {data.error && <Notice>{data.error.message}</Notice>}
      {data.loading && <p class="loading">Loading usage…</p>}
      {feature && data.data && (
        <section class="card">
          <BarChart
            days={days}
            title={`Evaluations of ${feature.name} in ${current?.name ?? ''}, ${PERIODS[period].label.toLowerCase()}`}
            description={`${total} in total; ${days
              .filter((d) => d.count > 0)
              .map((d) => `${d.day}: ${d.count}`)
              .join(', ') || 'none reported'}.`}
          />
        </section>
      )}
    </>
  );
}
