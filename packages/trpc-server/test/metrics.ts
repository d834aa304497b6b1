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

/** The `_count` of the histogram sample `name{labels}`, or 0 when there is none. */
export function histogramCount(text: string, name: string, labels: Record<string, string>): number {
  const family = parsePrometheusTextFormat(text).find((metric) => metric.name === name);
  const sample = family?.metrics.find((candidate) =>
    Object.entries(labels).every(([key, value]) => candidate.labels?.[key] === value),
  );
  return sample?.count === undefined ? 0 : Number(sample.count);
}

/** Every metric family name in the text. */
export function familyNames(text: string): string[] {
  return parsePrometheusTextFormat(text).map((metric) => metric.name);
}
