/**
 * Backups that are proven to restore (SPEC "Your data"): `pg_dump -Fc` / `pg_restore` of a
 * taskpulse database on a PostgreSQL server, in full and data-only (then `rebuildCounters`), and
 * the embedded PGlite data folder, taken while it runs and as a stopped folder. Each restore
 * must serve every user the same figures, keep its triggers, and keep counting.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  backupEmbeddedDatabase,
  createShare,
  createTask,
  createTaskpulse,
  getActivity,
  getBreakdown,
  getSharedStats,
  getStatistics,
  getTrend,
  rebuildCounters,
  restoreEmbeddedDatabase,
  seedBulk,
  seedDemo,
  type Taskpulse,
  updateTask,
} from '@taskpulse/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable } from '../../packages/core/test/databases.ts';

const run = promisify(execFile);

/** A PostgreSQL client binary: from PATH, else from Debian's versioned folder. */
function binary(name: string): string {
  const versioned = `/usr/lib/postgresql/15/bin/${name}`;
  return existsSync(versioned) ? versioned : name;
}

/** Every instant the figures depend on is this one: the original and the restore are compared at it. */
const NOW = new Date('2026-11-20T15:30:00.000Z');
const clock = () => NOW;

/** Every figure of every user, uncached, at {@link NOW}. */
async function allFigures(tp: Taskpulse) {
  const users = (await tp.fork().execute('select id from users order by id')) as { id: string }[];
  const figures: Record<string, unknown> = {};
  for (const { id } of users) {
    const ctx = tp.context({ id });
    figures[id] = {
      statistics: await getStatistics(ctx),
      breakdown: await getBreakdown(ctx),
      shared: await getSharedStats(ctx),
      activity: await getActivity(ctx, { timeZone: 'Europe/Berlin' }),
      trend: await getTrend(ctx, { days: 30, timeZone: 'America/New_York' }),
    };
  }
  return figures;
}

/** Two writes after a restore, and what they must move: one user's total and another's shared. */
async function keepsCounting(tp: Taskpulse, owner: string, recipient: string) {
  const before = {
    owner: await getStatistics(tp.context({ id: owner })),
    recipient: await getStatistics(tp.context({ id: recipient })),
  };
  const task = await createTask(tp.context({ id: owner }), { title: 'after the restore' });
  await updateTask(tp.context({ id: owner }), { id: task.id, status: 'completed' });
  await createShare(tp.context({ id: owner }), {
    taskId: task.id,
    userId: recipient,
    permission: 'view',
  });
  const owners = await getStatistics(tp.context({ id: owner }));
  expect(owners.total).toBe(before.owner.total + 1);
  expect(owners.completed).toBe(before.owner.completed + 1);
  expect((await getStatistics(tp.context({ id: recipient }))).shared).toBe(
    before.recipient.shared + 1,
  );
  // and exactly: a rebuild from the rows finds nothing to correct
  expect((await rebuildCounters(tp.fork())).corrected).toBe(0);
}

const triggersOf = async (tp: Taskpulse) =>
  (await tp
    .fork()
    .execute(
      `select tgrelid::regclass::text as tbl, tgname from pg_trigger where not tgisinternal order by 1, 2`,
    )) as { tbl: string; tgname: string }[];

describe.skipIf(!postgresAvailable)(
  'pg_dump / pg_restore of a taskpulse database [postgres]',
  () => {
    let source: Awaited<ReturnType<typeof createTestDatabase>>;
    const restored: Awaited<ReturnType<typeof createTestDatabase>>[] = [];
    let tp: Taskpulse;
    let dir: string;
    let dump: string;
    let figures: Record<string, unknown>;
    let triggers: { tbl: string; tgname: string }[];

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tp-h17-backup-'));
      source = await createTestDatabase();
      tp = await createTaskpulse({
        database: { url: source.url },
        migrate: true,
        clock,
        cache: false,
      });
      await seedDemo(tp.fork(), { now: NOW });
      await seedBulk(tp.fork(), {
        users: 40,
        tasksPerUser: 25,
        heavyUsers: [2_000],
        prefix: 'backup',
        now: NOW,
      });
      figures = await allFigures(tp);
      triggers = await triggersOf(tp);
      dump = join(dir, 'taskpulse.dump');
      await run(binary('pg_dump'), ['-Fc', '--no-owner', '-f', dump, source.url]);
    }, 300_000);
    afterAll(async () => {
      await tp?.close();
      await source?.drop();
      for (const database of restored) await database.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('restores into a new database with the same figures for every user, its triggers, and counting on', async () => {
      const target = await createTestDatabase();
      restored.push(target);
      await run(binary('pg_restore'), ['--no-owner', '--exit-on-error', '-d', target.url, dump]);
      const copy = await createTaskpulse({ database: { url: target.url }, clock, cache: false });
      try {
        expect(await copy.pendingMigrations()).toEqual([]);
        expect(Object.keys(figures).length).toBeGreaterThan(40);
        expect(await allFigures(copy)).toEqual(figures);
        expect(await triggersOf(copy)).toEqual(triggers);
        expect(triggers.length).toBeGreaterThan(0);
        await keepsCounting(copy, 'backup-heavy-1', 'backup-1');
      } finally {
        await copy.close();
      }
    });

    it('restores data only into a freshly migrated database; rebuildCounters makes the figures exact again', async () => {
      const target = await createTestDatabase();
      restored.push(target);
      const copy = await createTaskpulse({
        database: { url: target.url },
        migrate: true,
        clock,
        cache: false,
      });
      try {
        // the rows of the data model only; the counters are derived, and rebuilt from them
        const tables = [
          'users',
          'teams',
          'team_members',
          'tasks',
          'task_shares',
          'conversations',
          'messages',
        ];
        await run(binary('pg_restore'), [
          '--data-only',
          '--disable-triggers',
          '--exit-on-error',
          ...tables.flatMap((table) => ['-t', table]),
          '-d',
          target.url,
          dump,
        ]);
        const stale = (await copy.fork().execute('select count(*)::int as n from task_counts')) as {
          n: number;
        }[];
        expect(stale[0]?.n).toBe(0); // the triggers were off during the restore: no counters yet
        const { corrected } = await rebuildCounters(copy.fork());
        expect(corrected).toBeGreaterThan(40);
        expect(await allFigures(copy)).toEqual(figures);
        await keepsCounting(copy, 'backup-2', 'backup-heavy-1');
      } finally {
        await copy.close();
      }
    });
  },
);

describe('the embedded PGlite data folder [pglite]', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-h17-pglite-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is backed up while it runs (dumpDataDir) and restored into a new folder with the same figures, counting on', {
    timeout: 120_000,
  }, async () => {
    // the reference app's database: PGlite in a folder, migrated and filled with the demo data
    const dataDir = join(dir, 'live', 'pglite');
    await mkdir(join(dir, 'live'));
    const tp = await createTaskpulse({
      database: { embedded: { dataDir } },
      migrate: true,
      clock,
      cache: false,
    });
    let figures: Record<string, unknown>;
    const file = join(dir, 'taskpulse-backup.tar.gz');
    try {
      await seedDemo(tp.fork(), { now: NOW });
      figures = await allFigures(tp);
      const archive = await backupEmbeddedDatabase(tp);
      await writeFile(file, Buffer.from(await archive.arrayBuffer()));
      // the running database is untouched and keeps working
      await createTask(tp.context({ id: 'demo-alice' }), { title: 'after the backup' });
    } finally {
      await tp.close();
    }

    const restoredDir = join(dir, 'restored', 'pglite');
    await restoreEmbeddedDatabase(new Blob([await readFile(file)]), restoredDir);
    await expect(
      restoreEmbeddedDatabase(new Blob([await readFile(file)]), restoredDir),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    const copy = await createTaskpulse({
      database: { embedded: { dataDir: restoredDir } },
      clock,
      cache: false,
    });
    try {
      expect(await copy.pendingMigrations()).toEqual([]);
      // the backup's state: not the task written after it
      expect(await allFigures(copy)).toEqual(figures);
      await keepsCounting(copy, 'demo-alice', 'demo-bob');
    } finally {
      await copy.close();
    }
  });

  it('is backed up as a stopped folder (tar) and restored by extracting it', {
    timeout: 120_000,
  }, async () => {
    const dataDir = join(dir, 'cold', 'pglite');
    await mkdir(join(dir, 'cold'));
    const tp = await createTaskpulse({
      database: { embedded: { dataDir } },
      migrate: true,
      clock,
      cache: false,
    });
    let figures: Record<string, unknown>;
    try {
      await seedDemo(tp.fork(), { now: NOW });
      figures = await allFigures(tp);
    } finally {
      await tp.close();
    }
    const file = join(dir, 'cold.tar.gz');
    await run('tar', ['-czf', file, '-C', join(dir, 'cold'), 'pglite']);
    const target = join(dir, 'cold-restored');
    await mkdir(target);
    await run('tar', ['-xzf', file, '-C', target]);
    const copy = await createTaskpulse({
      database: { embedded: { dataDir: join(target, 'pglite') } },
      clock,
      cache: false,
    });
    try {
      expect(await allFigures(copy)).toEqual(figures);
      await keepsCounting(copy, 'demo-alice', 'demo-bob');
    } finally {
      await copy.close();
    }
  });

  it('refuses a live backup of a PostgreSQL server (pg_dump is the way)', async () => {
    if (!postgresAvailable) return;
    const database = await createTestDatabase();
    const tp = await createTaskpulse({ database: { url: database.url } });
    try {
      await expect(backupEmbeddedDatabase(tp)).rejects.toMatchObject({ code: 'VALIDATION' });
    } finally {
      await tp.close();
      await database.drop();
    }
  });
});
