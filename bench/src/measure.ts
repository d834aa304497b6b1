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
  /** The p50 of each round alone, for ratios paired round by round. */
  roundP50s: number[];
}

/**
 * The ratio a ÷ b of two functions measured in the same rounds: the median over rounds of
 * the ratio of their p50s in that round. Functions of one round ran within seconds of each
 * other, so a noisy stretch of the machine weighs on both sides of each ratio.
 */
export function pairedRatio(a: Latency, b: Latency): number {
  const ratios = a.roundP50s
    .map((p50, round) => p50 / (b.roundP50s[round] ?? Number.NaN))
    .filter((ratio) => Number.isFinite(ratio))
    .sort((x, y) => x - y);
  if (ratios.length === 0) return a.p50 / b.p50;
  const middle = Math.floor(ratios.length / 2);
  return ratios.length % 2 ? ratios[middle]! : (ratios[middle - 1]! + ratios[middle]!) / 2;
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
  const roundP50s = new Map<string, number[]>(functions.map((f) => [f.key, []]));
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
      roundP50s.get(f.key)!.push(result.latency.p50);
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
      roundP50s: roundP50s.get(key) ?? [],
    });
    histogram.destroy();
  }
  return latencies;
}
