/**
 * Part 4: what the activity counters (`task_activity_counts`, kept by the triggers on
 * `tasks`, and the index `tasks_user_completed_idx`) cost writes, side by side with the same
 * database without them: two scratch databases migrated alike, where the second gets the
 * trigger functions of before (the `down()` of the migration that added the counters) and
 * loses the index.
 *
 * - seedBulk of `writeSeedTasks` tasks (100 per user), on both, in alternating rounds (the
 *   triggers count each batch as it is inserted);
 * - one task created, and one task completed or reopened (alternating), through core as an
 *   app calls it, measured in the same rounds.
 */
import {
  createTask,
  createTaskpulse,
  migrationsList,
  seedBulk,
  type Taskpulse,
  updateTask,
} from '@taskpulse/core';
import pg from 'pg';
import type { BenchConfig } from './config.ts';
import { ensureDatabase } from './data.ts';
import { type Latency, measure, pairedRatio } from './measure.ts';

/** What part 4 measured. */
export interface WriteResults {
  seedTasks: number;
  /** Seconds of each seedBulk run, per side, in the order run. */
  seedSeconds: { with: number[]; without: number[] };
  /** Median over rounds of with ÷ without. */
  seedRatio: number;
  /** Rows of task_activity_counts after one seeded run. */
  activityRows: number;
  create: { with: Latency; without: Latency; ratio: number };
  complete: { with: Latency; without: Latency; ratio: number };
}

const ACTIVITY_MIGRATION = 'Migration20261202011500_task_activity_counts';

/** The statements that take the activity counters off a migrated database's writes. */
async function withoutActivityCounters(tp: Taskpulse): Promise<void> {
  const entry = migrationsList.find((m) => m.name === ACTIVITY_MIGRATION);
  if (!entry) throw new Error(`no migration ${ACTIVITY_MIGRATION}`);
  const Migration = entry.class as unknown as new (
    driver: unknown,
    config: unknown,
  ) => { down(): void | Promise<void>; getQueries(): unknown[] };
  const migration = new Migration(tp.orm.em.getDriver(), tp.orm.config);
  await migration.down();
  const statements = migration
    .getQueries()
    .map(String)
    // the trigger functions of before, and no completion index; the table and the read
    // function stay (nothing writes them any more)
    .filter((text) => /^create or replace function "tasks_/.test(text) || /^drop index/.test(text));
  if (statements.length < 4) throw new Error('unexpected down() of the activity migration');
  for (const text of statements) await tp.fork().execute(text);
}

function scratchUrl(base: string, suffix: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/$/, '')}_${suffix}`;
  return url.toString();
}

async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists ${name} with (force)`);
  } finally {
    await client.end();
  }
}

/** A fresh scratch database, migrated, with or without the activity counters. */
async function scratch(url: string, activity: boolean): Promise<Taskpulse> {
  await dropDatabase(url);
  await ensureDatabase(url);
  const tp = await createTaskpulse({ database: { url, poolSize: 2 }, migrate: true });
  if (!activity) await withoutActivityCounters(tp);
  return tp;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Runs part 4; the scratch databases are dropped at the end. */
export async function runWriteBench(
  config: BenchConfig,
  log: (message: string) => void,
): Promise<WriteResults> {
  const urls = {
    with: scratchUrl(config.databaseUrl, 'writes_with'),
    without: scratchUrl(config.databaseUrl, 'writes_without'),
  };
  const users = Math.max(1, Math.round(config.writeSeedTasks / 100));
  const seedSeconds = { with: [] as number[], without: [] as number[] };
  const ratios: number[] = [];
  let activityRows = 0;
  try {
    // seedBulk: alternating sides, a fresh database each time
    const seedRounds = Math.max(2, Math.min(3, config.rounds));
    for (let round = 0; round < seedRounds; round += 1) {
      const times: Record<'with' | 'without', number> = { with: 0, without: 0 };
      const order = round % 2 ? (['without', 'with'] as const) : (['with', 'without'] as const);
      for (const side of order) {
        const tp = await scratch(urls[side], side === 'with');
        try {
          const started = performance.now();
          await seedBulk(tp.fork(), { users, tasksPerUser: 100, prefix: 'w' });
          times[side] = (performance.now() - started) / 1000;
          seedSeconds[side].push(times[side]);
          if (side === 'with') {
            const [row] = await tp
              .fork()
              .execute<{ n: number }[]>('select count(*)::int as n from task_activity_counts');
            activityRows = row?.n ?? 0;
          }
        } finally {
          await tp.close();
        }
      }
      ratios.push(times.with / times.without);
      log(
        `seedBulk of ${(users * 100).toLocaleString('en')} tasks, round ${round + 1}: ${times.with.toFixed(1)} s with the activity counters, ${times.without.toFixed(1)} s without`,
      );
    }

    // single writes, through core, on the seeded databases of the last round
    const sides = {
      with: await createTaskpulse({ database: { url: urls.with, poolSize: 2 } }),
      without: await createTaskpulse({ database: { url: urls.without, poolSize: 2 } }),
    };
    try {
      const functions = [];
      for (const side of ['with', 'without'] as const) {
        const tp = sides[side];
        const ctx = () => tp.context({ id: 'w-1' });
        const task = await createTask(ctx(), { title: 'toggled' });
        let completed = false;
        functions.push({
          key: `create · ${side}`,
          run: () => createTask(ctx(), { title: 'bench write', priority: 'high' }),
        });
        functions.push({
          key: `complete · ${side}`,
          run: async () => {
            completed = !completed;
            return updateTask(ctx(), { id: task.id, status: completed ? 'completed' : 'pending' });
          },
        });
      }
      const latencies = await measure(functions, {
        timeMs: config.timeMs,
        rounds: config.rounds,
        minIterations: config.minIterations,
      });
      const pair = (name: string) => {
        const a = latencies.get(`${name} · with`)!;
        const b = latencies.get(`${name} · without`)!;
        return { with: a, without: b, ratio: pairedRatio(a, b) };
      };
      return {
        seedTasks: users * 100,
        seedSeconds,
        seedRatio: median(ratios),
        activityRows,
        create: pair('create'),
        complete: pair('complete'),
      };
    } finally {
      await Promise.all([sides.with.close(), sides.without.close()]);
    }
  } finally {
    await Promise.all([dropDatabase(urls.with), dropDatabase(urls.without)]);
  }
}
