/**
 * `task_activity_counts` and the `activity` and `trend` figures read from it: after random
 * sequences of writes whose instants sit on and next to local midnights (DST days, :45
 * offsets, historical odd offsets) — through the SDK and behind its back, reopen and
 * re-complete, deletes, cascades and owner changes — the buckets equal a fresh grouping of
 * the rows, and every figure equals its row-count definition.
 */
import fc from 'fast-check';
import { CompiledQuery } from 'kysely';
import { expect, it } from 'vitest';
import {
  EDGE_INSTANTS,
  expectActivityExact,
  WRONG_ACTIVITY_BUCKETS,
} from '../../test/activity-oracle.ts';
import { describeDatabases, type TestDatabase } from '../../test/databases.ts';
import { as, createUsers, outcome } from '../../test/fixtures.ts';
import { createTask, deleteTask, updateTask } from '../tasks/index.ts';
import { rebuildCounters } from './counters.ts';

const USERS = ['a0', 'a1', 'a2'];
/** Offsets from an edge instant, in ms: on it, a millisecond either side, half a quarter, … */
const DELTAS = [
  0, 0, 1, -1, 450_000, -450_000, 900_000, -900_000, 3_600_000, -43_200_000, 86_400_000,
];

const instant = fc
  .record({ edge: fc.nat({ max: EDGE_INSTANTS.length - 1 }), delta: fc.constantFrom(...DELTAS) })
  .map(({ edge, delta }) => new Date(Date.parse(EDGE_INSTANTS[edge]!) + delta).toISOString());
const user = fc.nat({ max: USERS.length - 1 });
const pick = fc.nat({ max: 1_000 });
const mask = fc.nat({ max: 2 ** 8 - 1 });

const commandArb = fc.oneof(
  fc.record({
    kind: fc.constant('raw insert' as const),
    owner: user,
    tasks: fc.array(fc.record({ created: instant, completed: fc.option(instant, { nil: null }) }), {
      minLength: 1,
      maxLength: 8,
    }),
  }),
  fc.record({
    kind: fc.constant('sdk create' as const),
    owner: user,
    at: instant,
    done: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('sdk complete' as const), pick, at: instant }),
  fc.record({ kind: fc.constant('sdk reopen' as const), pick, at: instant }),
  fc.record({ kind: fc.constant('raw re-complete' as const), mask, at: instant }),
  fc.record({ kind: fc.constant('raw reopen' as const), mask }),
  fc.record({ kind: fc.constant('raw move created' as const), mask, at: instant }),
  fc.record({ kind: fc.constant('raw owner' as const), mask, owner: user }),
  fc.record({ kind: fc.constant('raw delete' as const), mask }),
  fc.record({ kind: fc.constant('sdk delete' as const), pick }),
  fc.record({ kind: fc.constant('user delete' as const), owner: user }),
);
type Command = typeof commandArb extends fc.Arbitrary<infer T> ? T : never;

async function run(db: TestDatabase, command: Command): Promise<void> {
  const em = db.tp.fork();
  const exec = (text: string, params: unknown[] = []) => {
    let n = 0;
    const sqlText = text.replace(/\?/g, () => `$${++n}`);
    return em.getKysely().executeQuery(CompiledQuery.raw(sqlText, params));
  };
  const tasks = await em.execute<{ id: string; user_id: string }[]>(
    'select id, user_id from tasks order by id',
  );
  const nth = (n: number) => tasks[n % Math.max(1, tasks.length)];
  const subset = (bits: number) => tasks.filter((_, i) => (bits >> (i % 8)) & 1).map((t) => t.id);
  switch (command.kind) {
    case 'raw insert':
      await exec(
        `insert into tasks (id, user_id, title, status, created_at, updated_at, completed_at)
         values ${command.tasks.map(() => `(gen_random_uuid(), ?, 'raw', ?, ?::timestamptz, now(), ?::timestamptz)`).join(', ')}`,
        command.tasks.flatMap((t) => [
          USERS[command.owner],
          t.completed ? 'completed' : 'pending',
          t.created,
          t.completed,
        ]),
      );
      return;
    case 'sdk create': {
      const ctx = as(db.tp, USERS[command.owner]!, () => new Date(command.at));
      await createTask(ctx, { title: 'sdk', status: command.done ? 'completed' : 'pending' });
      return;
    }
    case 'sdk complete':
    case 'sdk reopen': {
      const task = nth(command.pick);
      if (!task) return;
      const ctx = as(db.tp, task.user_id, () => new Date(command.at));
      await outcome(() =>
        updateTask(ctx, {
          id: task.id,
          status: command.kind === 'sdk complete' ? 'completed' : 'pending',
        }),
      );
      return;
    }
    case 'raw re-complete':
      await exec(
        `update tasks set status = 'completed', completed_at = ?::timestamptz where id = any(?::uuid[])`,
        [command.at, subset(command.mask)],
      );
      return;
    case 'raw reopen':
      await exec(
        `update tasks set status = 'pending', completed_at = null where id = any(?::uuid[])`,
        [subset(command.mask)],
      );
      return;
    case 'raw move created':
      await exec(`update tasks set created_at = ?::timestamptz where id = any(?::uuid[])`, [
        command.at,
        subset(command.mask),
      ]);
      return;
    case 'raw owner':
      await exec(`update tasks set user_id = ? where id = any(?::uuid[])`, [
        USERS[command.owner],
        subset(command.mask),
      ]);
      return;
    case 'raw delete':
      await exec('delete from tasks where id = any(?::uuid[])', [subset(command.mask)]);
      return;
    case 'sdk delete': {
      const task = nth(command.pick);
      if (task) await outcome(() => deleteTask(as(db.tp, task.user_id), { id: task.id }));
      return;
    }
    case 'user delete':
      // the user's tasks go by cascade, and their buckets with them
      await exec('delete from users where id = ?', [USERS[command.owner]]);
      await createUsers(db.tp, [USERS[command.owner]!]);
      return;
  }
}

describeDatabases('activity counters', (db) => {
  it('equal a fresh count, and activity and trend equal the row counts, after random writes at the edges of local days', async () => {
    let nonZero = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 15 }), async (commands) => {
        await db.tp.fork().execute('truncate users cascade');
        await createUsers(db.tp, USERS);
        for (const [index, command] of commands.entries()) {
          await run(db, command);
          expect(
            await db.tp.fork().execute(WRONG_ACTIVITY_BUCKETS),
            `after command ${index} (${command.kind})`,
          ).toEqual([]);
        }
        for (const id of USERS) nonZero += await expectActivityExact(db, id);
        expect(await rebuildCounters(db.tp.fork())).toEqual({ users: USERS.length, corrected: 0 });
      }),
      { numRuns: db.kind === 'postgres' ? 30 : 12, endOnFailure: true },
    );
    // the reads did count tasks, not only zeros
    expect(nonZero).toBeGreaterThan(0);
  }, 300_000);
});
