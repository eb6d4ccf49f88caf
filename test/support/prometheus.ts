/**
 * Reading Prometheus text the way a scraper does: over real HTTP, every sample keyed by
 * `name{label="value",...}` with labels sorted, so a test can look one up however the exporter
 * ordered them.
 */

/** Every sample of a text-format page, keyed by its name and sorted labels. */
export class MetricSamples {
  constructor(
    readonly text: string,
    private readonly samples: Map<string, number>,
  ) {}

  static parse(text: string): MetricSamples {
    const samples = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
      const [, name, labels = '', value] = match;
      samples.set(MetricSamples.key(name!, MetricSamples.labelsOf(labels)), Number(value));
    }
    return new MetricSamples(text, samples);
  }

  /** The value of one sample, or undefined when the page has no such sample. */
  get(name: string, labels: Record<string, string> = {}): number | undefined {
    return this.samples.get(MetricSamples.key(name, labels));
  }

  /** Names of every metric family on the page (from its `# TYPE` lines). */
  families(): string[] {
    return [...this.text.matchAll(/^# TYPE (\S+) \S+$/gm)].map(match => match[1]!);
  }

  /** The `# TYPE` of a family. */
  typeOf(name: string): string | undefined {
    return new RegExp(`^# TYPE ${name} (\\S+)$`, 'm').exec(this.text)?.[1];
  }

  private static labelsOf(text: string): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const match of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]!] = match[2]!;
    return labels;
  }

  private static key(name: string, labels: Record<string, string>): string {
    const parts = Object.keys(labels)
      .sort()
      .map(label => `${label}="${labels[label]}"`);
    return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
  }
}

/** GETs a metrics page and parses it; fails on any status but 200. */
export const scrape = async (url: string): Promise<MetricSamples & { contentType: string }> => {
  const res = await fetch(url);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text}`);
  return Object.assign(MetricSamples.parse(text), { contentType: res.headers.get('content-type') ?? '' });
};
