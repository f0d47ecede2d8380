// A bar chart of counts per day, drawn as inline SVG (no charting library): a title and a
// description for screen readers, and the same numbers as a table under it.

export interface Day {
  day: string;
  count: number;
}

const WIDTH = 720;
const HEIGHT = 240;
const PAD = { top: 20, right: 12, bottom: 36, left: 48 };

/** A round top for the y axis (1, 2, 4, 6, 8 × 10^n), even so its middle is a whole count too. */
function niceMax(max: number): number {
  if (max <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 4, 6, 8, 10].find((s) => s * magnitude >= max) ?? 10;
  return step * magnitude;
}

const shortDay = (day: string) => {
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime())
    ? day
    : date.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
};

export function BarChart({ days, title, description }: { days: Day[]; title: string; description: string }) {
  const max = niceMax(Math.max(0, ...days.map((d) => d.count)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, days.length);
  const bar = Math.max(2, Math.min(40, slot * 0.7));
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const ticks = [0, max / 2, max].filter((t) => Number.isInteger(t));
  // Label at most ~8 days on the x axis so the text never overlaps.
  const every = Math.max(1, Math.ceil(days.length / 8));
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="chart-title chart-desc" class="chart-svg">
        <title id="chart-title">{title}</title>
        <desc id="chart-desc">{description}</desc>
        {ticks.map((t) => (
          <g key={t}>
            <line class="chart-grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(t)} y2={y(t)} />
            <text class="chart-label" x={PAD.left - 8} y={y(t) + 4} text-anchor="end">
              {t}
            </text>
          </g>
        ))}
        {days.map((d, i) => {
          const x = PAD.left + slot * i + (slot - bar) / 2;
          return (
            <g key={d.day}>
              {d.count > 0 && (
                <rect class="chart-bar" x={x} y={y(d.count)} width={bar} height={PAD.top + plotH - y(d.count)}>
                  <title>{`${shortDay(d.day)}: ${d.count}`}</title>
                </rect>
              )}
              {d.count > 0 && bar >= 14 && (
                <text class="chart-label chart-value" x={x + bar / 2} y={y(d.count) - 4} text-anchor="middle">
                  {d.count}
                </text>
              )}
              {(i % every === 0 || i === days.length - 1) && (
                <text class="chart-label" x={x + bar / 2} y={HEIGHT - PAD.bottom + 18} text-anchor="middle">
                  {shortDay(d.day)}
                </text>
              )}
            </g>
          );
        })}
        <line class="chart-axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={PAD.top + plotH} y2={PAD.top + plotH} />
      </svg>
      <details class="chart-table">
        <summary>Show as a table</summary>
        <table class="table">
          <caption class="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col">Evaluations</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day}>
                <th scope="row">{d.day}</th>
                <td>{d.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
