/**
 * `pnpm bench`: seeds PostgreSQL with the bulk generator unless the data is already there,
 * measures every statistic through core, the naive way and as hand-written SQL, side by
 * side, and writes bench/RESULTS.md and bench/results.json. Settings: see config.ts.
 */
import { SingleBar } from 'cli-progress';
import { readConfig } from './config.ts';
import { writeResults } from './report.ts';
import { runBench } from './run.ts';

const config = readConfig();
// in CI logs (no TTY) print a line every few seconds instead of redrawing
const bar = (format: string) =>
  new SingleBar({ format, noTTYOutput: true, notTTYSchedule: 5_000, hideCursor: true });

let seedBar: SingleBar | undefined;
let stepBar: SingleBar | undefined;
const started = performance.now();

const results = await runBench(config, {
  log: (message) => console.log(message),
  seedProgress: (done, total) => {
    if (!seedBar) {
      seedBar = bar(
        'seeding tasks [{bar}] {percentage}% | {value}/{total} | {duration_formatted} elapsed, eta {eta_formatted}',
      );
      seedBar.start(total, 0);
    }
    seedBar.update(done);
    if (done >= total) seedBar.stop();
  },
  step: ({ key, round, done, total }) => {
    if (!stepBar) {
      seedBar?.stop();
      stepBar = bar('measuring [{bar}] {value}/{total} | round {round} | {key}');
      stepBar.start(total, 0, { key, round: round + 1 });
    }
    if (stepBar.getTotal() !== total) stepBar.setTotal(total);
    stepBar.update(done, { key, round: round + 1 });
  },
});
stepBar?.update(stepBar.getTotal(), { key: 'done' });
stepBar?.stop();

const files = await writeResults(config.outDir, results);
console.log(
  `\nWrote ${files.join(' and ')} in ${((performance.now() - started) / 1000).toFixed(0)} s.\n`,
);
for (const target of results.targets) {
  const mark = target.met === null ? '·' : target.met ? '✓' : '✗';
  console.log(`${mark} ${target.target}: ${target.measured}`);
}
