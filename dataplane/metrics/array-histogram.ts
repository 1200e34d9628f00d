// A Prometheus histogram for label values fixed up front: each series is made once and observed into
// plain arrays, and the exposition text is written at scrape time. prom-client's Histogram validates
// and hashes the label object on every observe: with its counter, about 2% of the data plane's CPU per
// request under load (npm run bench --cpu-prof). The text is what prom-client writes for the same
// observations (array-histogram.test.ts compares them).

export interface HistogramSeries {
  observe(value: number): void;
}

interface Series extends HistogramSeries {
  /** `name="value"` pairs, already escaped. */
  labels: string;
  /** Observations per bucket (not cumulative); the last is above every bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

export class ArrayHistogram {
  private readonly series: Series[] = [];
  private readonly bounds: readonly number[];

  constructor(
    private readonly name: string,
    private readonly help: string,
    buckets: readonly number[],
  ) {
    this.bounds = [...buckets].sort((a, b) => a - b);
  }

  /** The series for these label values; call once per label set and keep it. */
  seriesFor(labels: Record<string, string>): HistogramSeries {
    const bounds = this.bounds;
    const series: Series = {
      labels: Object.entries(labels)
        .map(([name, value]) => `${name}="${escapeLabel(value)}"`)
        .join(","),
      counts: new Float64Array(bounds.length + 1),
      sum: 0,
      count: 0,
      observe(value) {
        let i = 0;
        while (i < bounds.length && value > (bounds[i] as number)) i++;
        series.counts[i] = (series.counts[i] as number) + 1;
        series.sum += value;
        series.count++;
      },
    };
    this.series.push(series);
    return series;
  }

  /** The histogram in the Prometheus text format; series never observed are left out, as prom-client does. */
  exposition(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} histogram`];
    for (const series of this.series) {
      if (series.count === 0) continue;
      const rest = series.labels ? `,${series.labels}` : "";
      const own = series.labels ? `{${series.labels}}` : "";
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += series.counts[i] as number;
        lines.push(`${this.name}_bucket{le="${le}"${rest}} ${cumulative}`);
      });
      lines.push(
        `${this.name}_bucket{le="+Inf"${rest}} ${series.count}`,
        `${this.name}_sum${own} ${series.sum}`,
        `${this.name}_count${own} ${series.count}`,
      );
    }
    return lines.join("\n");
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}
