/**
 * Seeds a database from the command line.
 *
 *   pnpm seed --demo                          demo data for Alice, Bob and Charlie
 *   pnpm seed --users 10000 --tasks 100 --heavy 100000,1000000
 *
 * The database is DATABASE_URL (PostgreSQL) or, with --data-dir, an embedded PGlite folder.
 * Pending migrations are applied first.
 */
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { createTaskpulse, seedBulk, seedDemo } from '../src/index.ts';

const { values } = parseArgs({
  options: {
    demo: { type: 'boolean', default: false },
    users: { type: 'string', default: '10000' },
    tasks: { type: 'string', default: '100' },
    heavy: { type: 'string', default: '' },
    prefix: { type: 'string', default: 'bulk' },
    'data-dir': { type: 'string' },
  },
});

const url = process.env.DATABASE_URL;
const dataDir = values['data-dir'];
const database = dataDir ? { embedded: { dataDir } } : url ? { url } : undefined;
if (!database) {
  console.error('Set DATABASE_URL to a PostgreSQL server, or pass --data-dir for embedded PGlite.');
  process.exit(2);
}

const tp = await createTaskpulse({ database, migrate: true });
try {
  if (values.demo) {
    console.log(await seedDemo(tp.fork()));
  } else {
    const heavyUsers = values.heavy ? values.heavy.split(',').map(Number) : [];
    const bar = new SingleBar({
      // in CI logs (no TTY) print a line every 2 s instead of redrawing
      noTTYOutput: true,
      notTTYSchedule: 2_000,
      format:
        'seeding tasks [{bar}] {percentage}% | {value}/{total} | {duration_formatted} elapsed, eta {eta_formatted}',
    });
    const started = performance.now();
    let barStarted = false;
    const result = await seedBulk(tp.fork(), {
      users: Number(values.users),
      tasksPerUser: Number(values.tasks),
      heavyUsers,
      prefix: values.prefix,
      onProgress: (done, total) => {
        if (!barStarted) {
          bar.start(total, 0);
          barStarted = true;
        }
        bar.update(done);
      },
    });
    bar.stop();
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `Inserted ${result.tasks.toLocaleString('en')} tasks, ${result.users.toLocaleString('en')} users, ` +
        `${result.taskShares.toLocaleString('en')} shares, ${result.teams} teams in ${seconds.toFixed(1)} s ` +
        `(${Math.round(result.tasks / seconds).toLocaleString('en')} tasks/s).`,
    );
  }
} finally {
  await tp.close();
}
