import { createTaskpulse, seedBulk, type Taskpulse } from '@taskpulse/core';
import pg from 'pg';
import type { BenchConfig } from './config.ts';

/** The users the statistics are measured for. */
export interface BenchUser {
  /** A short label: `100 tasks`, `1,000,000 tasks`. */
  label: string;
  id: string;
  tasks: number;
}

/** What the database holds. */
export interface DataInfo {
  /** Whether this run seeded it, and how long that took. */
  seeded: boolean;
  seedSeconds: number | null;
  users: number;
  tasks: number;
  taskShares: number;
  /** Rows of the counter tables. */
  taskCounts: number;
  taskDueCounts: number;
  taskActivityCounts: number;
  /** On-disk size of each table with its indexes, in bytes. */
  tableBytes: Record<string, number>;
  benchUsers: BenchUser[];
}

/** Creates the database of `url` when it does not exist (connecting to `postgres` to do so). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
}

const heavyId = (config: BenchConfig, index: number) => `${config.prefix}-heavy-${index + 1}`;

/** The users to measure: a regular one, then each heavy one. */
export function benchUsers(config: BenchConfig): BenchUser[] {
  const users: BenchUser[] = [];
  if (config.users > 0 && config.tasksPerUser > 0) {
    const id = `${config.prefix}-${Math.ceil(config.users / 2)}`;
    users.push({
      label: `${config.tasksPerUser.toLocaleString('en')} tasks`,
      id,
      tasks: config.tasksPerUser,
    });
  }
  for (const [index, { tasks, days }] of config.heavyUsers.entries()) {
    const spread = days === 90 ? '' : ` over ${days} days`;
    users.push({
      label: `${tasks.toLocaleString('en')} tasks${spread}`,
      id: heavyId(config, index),
      tasks,
    });
  }
  return users;
}

/** Whether the database already holds exactly the configured data (read from the counters). */
async function hasData(tp: Taskpulse, config: BenchConfig): Promise<boolean> {
  const [row] = await tp.fork().execute<{ users: number; tasks: string }[]>(
    `select count(*)::int as users, coalesce(sum(c.total), 0)::text as tasks
     from users u left join task_counts c on c.user_id = u.id where u.id like ?`,
    [`${config.prefix}-%`],
  );
  const expectedTasks =
    config.users * config.tasksPerUser + config.heavyUsers.reduce((sum, h) => sum + h.tasks, 0);
  if (row?.users !== config.users + config.heavyUsers.length) return false;
  if (Number(row.tasks) !== expectedTasks) return false;
  for (const user of benchUsers(config)) {
    const [count] = await tp
      .fork()
      .execute<{ n: number }[]>('select count(*)::int as n from tasks where user_id = ?', [
        user.id,
      ]);
    if (count?.n !== user.tasks) return false;
  }
  return true;
}

/**
 * Opens taskpulse on the bench database (migrated), and seeds it with the bulk generator
 * unless it already holds the configured data; then vacuums, so that index-only scans see
 * an up-to-date visibility map.
 */
export async function openBenchData(
  config: BenchConfig,
  onSeedProgress: (done: number, total: number) => void,
): Promise<{ tp: Taskpulse; data: DataInfo }> {
  await ensureDatabase(config.databaseUrl);
  const tp = await createTaskpulse({
    database: { url: config.databaseUrl, poolSize: 4 },
    migrate: true,
  });
  let seeded = false;
  let seedSeconds: number | null = null;
  if (!(await hasData(tp, config))) {
    // whatever a previous, different run left under this prefix goes (the cascade takes the rest)
    await tp.fork().execute('delete from users where id like ?', [`${config.prefix}-%`]);
    const started = performance.now();
    await seedBulk(tp.fork(), {
      users: config.users,
      tasksPerUser: config.tasksPerUser,
      heavyUsers: config.heavyUsers,
      prefix: config.prefix,
      onProgress: onSeedProgress,
    });
    seedSeconds = (performance.now() - started) / 1000;
    seeded = true;
  }
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    await client.query(
      'vacuum (analyze) tasks, task_shares, task_counts, task_due_counts, task_activity_counts',
    );
    const { rows } = await client.query<{
      users: number;
      tasks: number;
      task_shares: number;
      task_counts: number;
      task_due_counts: number;
      task_activity_counts: number;
    }>(`select (select count(*) from users)::int as users, (select count(*) from tasks)::int as tasks,
        (select count(*) from task_shares)::int as task_shares,
        (select count(*) from task_counts)::int as task_counts,
        (select count(*) from task_due_counts)::int as task_due_counts,
        (select count(*) from task_activity_counts)::int as task_activity_counts`);
    const { rows: sizes } = await client.query<{ name: string; bytes: string }>(
      `select relname as name, pg_total_relation_size(oid)::text as bytes from pg_class
       where relname in ('users', 'tasks', 'task_shares', 'task_counts', 'task_due_counts', 'task_activity_counts') order by 1`,
    );
    const counts = rows[0]!;
    return {
      tp,
      data: {
        seeded,
        seedSeconds,
        users: counts.users,
        tasks: counts.tasks,
        taskShares: counts.task_shares,
        taskCounts: counts.task_counts,
        taskDueCounts: counts.task_due_counts,
        taskActivityCounts: counts.task_activity_counts,
        tableBytes: Object.fromEntries(sizes.map((row) => [row.name, Number(row.bytes)])),
        benchUsers: benchUsers(config),
      },
    };
  } finally {
    await client.end();
  }
}
