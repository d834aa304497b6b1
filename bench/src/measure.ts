import * as hdr from 'hdr-histogram-js';
import { Bench } from 'tinybench';

/** One function to measure. */
export interface Measured {
  /** Unique key, e.g. `statistics/1,000,000 tasks/core`. */
  key: string;
  run: () => Promise<unknown>;
}

/** Latency of one measured function, over all rounds. Times in milliseconds. */
export interface Latency {
  samples: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** How long and how often to measure. */
export interface MeasureOptions {
  /** Time budget per function per round, in milliseconds. */
  timeMs: number;
  /** Rounds; each measures every function in turn. */
  rounds: number;
  /** Fewest calls per function per round. */
  minIterations: number;
  /** Called before each function of each round (for progress). */
  onStep?: (step: { key: string; round: number; done: number; total: number }) => void;
}

/**
 * Measures every function side by side: in each of `rounds` rounds, each function runs for
 * `timeMs` (at least `minIterations` calls) with tinybench, one after the other, so that a
 * noisy stretch of a shared machine spreads over all of them instead of hitting one. The
 * samples of all rounds go into an HDR histogram per function for the percentiles.
 */
export async function measure(
  functions: Measured[],
  { timeMs, rounds, minIterations, onStep }: MeasureOptions,
): Promise<Map<string, Latency>> {
  // nanoseconds, 3 significant digits
  const histograms = new Map(
    functions.map((f) => [
      f.key,
      hdr.build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 }),
    ]),
  );
  const total = functions.length * rounds;
  let done = 0;
  for (let round = 0; round < rounds; round += 1) {
    for (const f of functions) {
      onStep?.({ key: f.key, round, done, total });
      const bench = new Bench({
        time: timeMs,
        iterations: minIterations,
        retainSamples: true,
        // warm up in the first round only: later rounds start warm
        warmup: round === 0,
        warmupIterations: 2,
        warmupTime: Math.min(timeMs / 10, 200),
        throws: true,
      });
      bench.add(f.key, f.run);
      const [task] = await bench.run();
      const result = task?.result;
      if (!result || !('latency' in result))
        throw new Error(`${f.key}: no result (${result?.state})`);
      const histogram = histograms.get(f.key)!;
      for (const ms of result.latency.samples ?? []) {
        histogram.recordValue(Math.max(1, Math.round(ms * 1e6)));
      }
      done += 1;
    }
  }
  const latencies = new Map<string, Latency>();
  for (const [key, histogram] of histograms) {
    latencies.set(key, {
      samples: histogram.totalCount,
      p50: histogram.getValueAtPercentile(50) / 1e6,
      p99: histogram.getValueAtPercentile(99) / 1e6,
      mean: histogram.mean / 1e6,
      max: histogram.maxValue / 1e6,
    });
    histogram.destroy();
  }
  return latencies;
}
