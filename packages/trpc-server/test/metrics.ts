/** Reads Prometheus text format the way a scraper would, for tests. */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** The value of the counter or gauge sample `name{labels}`, or 0 when there is none. */
export function sampleValue(text: string, name: string, labels: Record<string, string>): number {
  const family = parsePrometheusTextFormat(text).find((metric) => metric.name === name);
  const sample = family?.metrics.find((candidate) =>
    Object.entries(labels).every(([key, value]) => candidate.labels?.[key] === value),
  );
  return sample?.value === undefined ? 0 : Number(sample.value);
}

/**
 * The `_count` of the histogram sample `name{labels}`, or 0 when there is none. Read from the
 * `_count` lines themselves: the parser above drops the labels of prom-client's histograms.
 */
export function histogramCount(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}_count\\{(.*)\\} (\\S+)$`).exec(line);
    if (!match?.[1] || match[2] === undefined) continue;
    const found = Object.fromEntries(
      [...match[1].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value))
      return Number(match[2]);
  }
  return 0;
}

/** Every metric family name in the text. */
export function familyNames(text: string): string[] {
  return parsePrometheusTextFormat(text).map((metric) => metric.name);
}
