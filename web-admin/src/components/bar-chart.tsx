// Horizontal bars drawn with CSS: enough for "per model" and "per day" comparisons, no chart library.

export interface Bar {
  label: string;
  value: number;
  /** The exact value as shown beside the bar. */
  display: string;
}

export function BarChart({ bars, empty, label }: { bars: readonly Bar[]; empty: string; label: string }) {
  if (bars.length === 0) return <p className="muted">{empty}</p>;
  const max = Math.max(...bars.map((b) => b.value), 0);
  return (
    <ul className="bar-chart" aria-label={label}>
      {bars.map((bar) => (
        <li key={bar.label}>
          <span className="bar-label" title={bar.label}>
            {bar.label}
          </span>
          <span className="bar-track">
            <span className="bar-fill" style={{ width: `${max > 0 ? (bar.value / max) * 100 : 0}%` }} />
          </span>
          <span className="bar-value">{bar.display}</span>
        </li>
      ))}
    </ul>
  );
}
