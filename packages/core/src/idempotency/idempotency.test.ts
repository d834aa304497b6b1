/** Retry-safe writes: per user and key, a write is carried out at most once for 24 hours. */
import { beforeEach, describe, expect, it } from 'vitest';
import { describeDatabases, describePostgres } from '../../test/databases.ts';
import { as, createUsers } from '../../test/fixtures.ts';
import { appendMessage, createConversation } from '../chat/index.ts';
import { isTaskpulseError } from '../errors/index.ts';
import type { ChangeEvent } from '../events/index.ts';
import { createShare, deleteShare } from '../sharing/index.ts';
import { createTask, deleteTask, getTask, listTasks, updateTask } from '../tasks/index.ts';
import { addMember, createTeam, removeMember } from '../teams/index.ts';
import { IDEMPOTENCY_KEY_TTL_MS } from './idempotency-keys.ts';

const TABLES =
  'users, tasks, task_shares, teams, team_members, conversations, messages, idempotency_keys';

describeDatabases('idempotency keys', (db) => {
  let events: ChangeEvent[];
  let stop: (() => void) | undefined;
  beforeEach(async () => {
    await db.tp.fork().execute(`truncate ${TABLES} cascade`);
    await createUsers(db.tp, ['alice', 'bob']);
    events = [];
    stop?.();
    stop = db.tp.events.subscribe((event) => events.push(event));
  });

  const count = async (table: string, where = 'true') => {
    const [row] = await db.tp
      .fork()
      .execute<{ n: number }[]>(`select count(*)::int as n from ${table} where ${where}`);
    return row?.n;
  };
  const caught = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error,
    );

  it('ten identical creates with one key make one task, and each answers the first result', async () => {
    const results = [];
    for (let i = 0; i < 10; i++) {
      results.push(
        await createTask(as(db.tp, 'alice'), { title: 'Pay rent' }, { idempotencyKey: 'k-rent' }),
      );
    }
    expect(await count('tasks')).toBe(1);
    for (const result of results) expect(result).toEqual(results[0]);
    // the answer is the first one, byte for byte, even after the task changed
    expect(JSON.stringify(results[9])).toBe(JSON.stringify(results[0]));
    expect(events.filter((event) => event.type === 'task.created')).toHaveLength(1);
  });

  it('without a key, every create writes', async () => {
    for (let i = 0; i < 3; i++) await createTask(as(db.tp, 'alice'), { title: 'Pay rent' });
    expect(await count('tasks')).toBe(3);
    expect(await count('idempotency_keys')).toBe(0);
  });

  it('answers the first result even after the task changed, and does not write again', async () => {
    const first = await createTask(as(db.tp, 'alice'), { title: 'A' }, { idempotencyKey: 'k1' });
    await updateTask(as(db.tp, 'alice'), { id: first.id, title: 'B' });
    const repeat = await createTask(as(db.tp, 'alice'), { title: 'A' }, { idempotencyKey: 'k1' });
    expect(repeat).toEqual(first);
    expect((await getTask(as(db.tp, 'alice'), { id: first.id })).title).toBe('B');
    expect(await count('tasks')).toBe(1);
  });

  it('refuses the same key with another input as CONFLICT, and writes nothing', async () => {
    await createTask(as(db.tp, 'alice'), { title: 'A' }, { idempotencyKey: 'k1' });
    const error = await caught(
      createTask(as(db.tp, 'alice'), { title: 'Other' }, { idempotencyKey: 'k1' }),
    );
    expect(isTaskpulseError(error, 'CONFLICT')).toBe(true);
    expect((error as Error).message).toMatch(
      /Idempotency-Key was already used for a different request/,
    );
    expect(await count('tasks')).toBe(1);
    expect((await listTasks(as(db.tp, 'alice'))).items.map((task) => task.title)).toEqual(['A']);
  });

  it('refuses the same key for another operation', async () => {
    const task = await createTask(as(db.tp, 'alice'), { title: 'A' }, { idempotencyKey: 'k1' });
    const error = await caught(
      deleteTask(as(db.tp, 'alice'), { id: task.id }, { idempotencyKey: 'k1' }),
    );
    expect(isTaskpulseError(error, 'CONFLICT')).toBe(true);
    expect(await count('tasks')).toBe(1);
  });

  it('treats inputs that differ only in key order or defaults as the same request', async () => {
    const first = await createTask(
      as(db.tp, 'alice'),
      { title: 'A', priority: 'high' },
      { idempotencyKey: 'k1' },
    );
    const again = await createTask(as(db.tp, 'alice'), { priority: 'high', title: 'A' } as never, {
      idempotencyKey: 'k1',
    });
    expect(again).toEqual(first);
    expect(await count('tasks')).toBe(1);
  });

  it('keeps keys per user: the same key of two users makes two writes', async () => {
    await createTask(as(db.tp, 'alice'), { title: 'A' }, { idempotencyKey: 'shared' });
    await createTask(as(db.tp, 'bob'), { title: 'B' }, { idempotencyKey: 'shared' });
    expect(await count('tasks')).toBe(2);
  });

  it('stores no key for a failed write, so that retrying it runs it again', async () => {
    const missing = '0190b3a4-0000-7000-8000-000000000000';
    const error = await caught(
      updateTask(as(db.tp, 'alice'), { id: missing, title: 'x' }, { idempotencyKey: 'k1' }),
    );
    expect(isTaskpulseError(error, 'NOT_FOUND')).toBe(true);
    expect(await count('idempotency_keys')).toBe(0);
    // the key is free: a retry (here, after the task appeared) is carried out
    const task = await createTask(as(db.tp, 'alice'), { title: 'A' });
    const again = await caught(
      updateTask(as(db.tp, 'alice'), { id: task.id, title: 'x' }, { idempotencyKey: 'k2' }),
    );
    expect(again).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['with a space', 'a b'],
    ['with a control character', 'a\nb'],
    ['non-ASCII', 'clé'],
  ])(
    'refuses a key that is %s as VALIDATION naming idempotencyKey, and writes nothing',
    async (_, key) => {
      const error = await caught(
        createTask(as(db.tp, 'alice'), { title: 'A' }, { idempotencyKey: key }),
      );
      expect(isTaskpulseError(error, 'VALIDATION')).toBe(true);
      expect((error as Error).message).toMatch(/idempotencyKey/);
      expect((error as { issues: { path: unknown[] }[] }).issues[0]?.path).toEqual([
        'idempotencyKey',
      ]);
      expect(await count('tasks')).toBe(0);
    },
  );

  it('accepts a key of 255 visible ASCII characters', async () => {
    const key = `${'!~'.repeat(127)}Z`;
    await createTask(as(db.tp, 'alice'), { title: 'A' }, { idempotencyKey: key });
    await createTask(as(db.tp, 'alice'), { title: 'A' }, { idempotencyKey: key });
    expect(await count('tasks')).toBe(1);
  });

  it('forgets a key after 24 hours: the write is carried out again, and expired keys are deleted', async () => {
    const start = new Date('2026-12-01T10:00:00Z');
    const later = (ms: number) => () => new Date(start.getTime() + ms);
    await createTask(as(db.tp, 'alice', later(0)), { title: 'A' }, { idempotencyKey: 'k1' });
    await createTask(as(db.tp, 'bob', later(0)), { title: 'B' }, { idempotencyKey: 'old-bob' });
    await createTask(
      as(db.tp, 'alice', later(IDEMPOTENCY_KEY_TTL_MS - 1)),
      { title: 'A' },
      { idempotencyKey: 'k1' },
    );
    expect(await count('tasks')).toBe(2);
    // a day later the key is free again; the write also clears expired keys of anyone
    await createTask(
      as(db.tp, 'alice', later(IDEMPOTENCY_KEY_TTL_MS)),
      { title: 'A' },
      { idempotencyKey: 'k1' },
    );
    expect(await count('tasks')).toBe(3);
    expect(await count('idempotency_keys', `key = 'old-bob'`)).toBe(0);
    expect(await count('idempotency_keys')).toBe(1);
  });

  it('deleteExpiredIdempotencyKeys deletes the expired keys and keeps the others', async () => {
    const old = () => new Date(Date.now() - IDEMPOTENCY_KEY_TTL_MS - 60_000);
    for (const key of ['a', 'b', 'c']) {
      await createTask(as(db.tp, 'alice', old), { title: key }, { idempotencyKey: key });
    }
    await createTask(as(db.tp, 'alice'), { title: 'fresh' }, { idempotencyKey: 'fresh' });
    // the fresh write deleted the expired ones already; make more to delete explicitly
    await db.tp
      .fork()
      .execute(
        `insert into idempotency_keys (user_id, key, request_hash, response, expires_at) values ('bob', 'x', 'h', 'null', now() - interval '1 second'), ('bob', 'y', 'h', 'null', now() - interval '1 second')`,
      );
    expect(await db.tp.deleteExpiredIdempotencyKeys()).toBe(2);
    expect(await count('idempotency_keys')).toBe(1);
    expect(await count('idempotency_keys', `key = 'fresh'`)).toBe(1);
  });

  it('makes every write retry-safe: shares, teams, members, chat, updates and deletes', async () => {
    const ctx = () => as(db.tp, 'alice');
    const twice = async <T>(write: () => Promise<T>) => {
      const first = await write();
      expect(await write()).toEqual(first);
      return first;
    };
    const task = await twice(() => createTask(ctx(), { title: 'A' }, { idempotencyKey: 't' }));
    const updated = await twice(() =>
      updateTask(ctx(), { id: task.id, title: 'B' }, { idempotencyKey: 'u' }),
    );
    expect(updated.version).toBe(2);
    await twice(() =>
      createShare(
        ctx(),
        { taskId: task.id, userId: 'bob', permission: 'view' },
        { idempotencyKey: 's' },
      ),
    );
    await twice(() =>
      deleteShare(ctx(), { taskId: task.id, userId: 'bob' }, { idempotencyKey: 'sd' }),
    );
    const team = await twice(() => createTeam(ctx(), { name: 'T' }, { idempotencyKey: 'team' }));
    await twice(() =>
      addMember(ctx(), { teamId: team.id, userId: 'bob', role: 'member' }, { idempotencyKey: 'm' }),
    );
    await twice(() =>
      removeMember(ctx(), { teamId: team.id, userId: 'bob' }, { idempotencyKey: 'mr' }),
    );
    const conversation = await twice(() =>
      createConversation(ctx(), { title: 'c' }, { idempotencyKey: 'c' }),
    );
    await twice(() =>
      appendMessage(
        ctx(),
        { conversationId: conversation.id, role: 'user', content: 'hi' },
        { idempotencyKey: 'msg' },
      ),
    );
    await twice(() => deleteTask(ctx(), { id: task.id }, { idempotencyKey: 'd' }));
    expect(await count('tasks')).toBe(0);
    expect(await count('teams')).toBe(1);
    expect(await count('team_members')).toBe(1);
    expect(await count('conversations')).toBe(1);
    expect(await count('messages')).toBe(1);
    expect(await count('task_shares')).toBe(0);
  });

  describe('inside the caller’s transaction', () => {
    it('rolls the key back with the transaction, so that a retry is carried out', async () => {
      class Abort extends Error {}
      await db.tp
        .fork()
        .transactional(async (em) => {
          await createTask(
            db.tp.context({ id: 'alice' }, { em }),
            { title: 'A' },
            { idempotencyKey: 'k1' },
          );
          throw new Abort();
        })
        .catch((error: unknown) => {
          if (!(error instanceof Abort)) throw error;
        });
      expect(await count('idempotency_keys')).toBe(0);
      expect(await count('tasks')).toBe(0);
      await createTask(as(db.tp, 'alice'), { title: 'A' }, { idempotencyKey: 'k1' });
      expect(await count('tasks')).toBe(1);
    });

    it('answers a repeat within the same transaction with the first result', async () => {
      const [first, second] = await db.tp.fork().transactional(async (em) => {
        const ctx = db.tp.context({ id: 'alice' }, { em });
        const a = await createTask(ctx, { title: 'A' }, { idempotencyKey: 'k1' });
        const b = await createTask(ctx, { title: 'A' }, { idempotencyKey: 'k1' });
        return [a, b];
      });
      expect(second).toEqual(first);
      expect(await count('tasks')).toBe(1);
    });
  });

  it('refuses a key for a caller who is not provisioned as NOT_FOUND', async () => {
    const error = await caught(
      createTask(as(db.tp, 'nobody'), { title: 'A' }, { idempotencyKey: 'k1' }),
    );
    expect(isTaskpulseError(error, 'NOT_FOUND')).toBe(true);
    expect((error as Error).message).toMatch(/provisionUser/);
  });

  it('deletes a user’s keys with the user', async () => {
    await createTask(as(db.tp, 'bob'), { title: 'B' }, { idempotencyKey: 'k1' });
    await db.tp.fork().execute(`delete from users where id = 'bob'`);
    expect(await count('idempotency_keys')).toBe(0);
  });
});

describePostgres('idempotency keys under concurrency', (db) => {
  beforeEach(async () => {
    await db.tp.fork().execute(`truncate ${TABLES} cascade`);
    await createUsers(db.tp, ['alice']);
  });

  it('ten concurrent repeats of one create make one task, and all answer its result', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        createTask(as(db.tp, 'alice'), { title: 'Once' }, { idempotencyKey: 'concurrent' }),
      ),
    );
    const [row] = await db.tp
      .fork()
      .execute<{ n: number }[]>('select count(*)::int as n from tasks');
    expect(row?.n).toBe(1);
    for (const result of results) expect(result).toEqual(results[0]);
  });

  it('a repeat waits for the first write to commit, then answers its result', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let firstClaimed!: () => void;
    const claimed = new Promise<void>((resolve) => {
      firstClaimed = resolve;
    });
    // the first write claims the key inside a transaction that stays open until released
    const first = db.tp.fork().transactional(async (em) => {
      const task = await createTask(
        db.tp.context({ id: 'alice' }, { em }),
        { title: 'A' },
        { idempotencyKey: 'k' },
      );
      firstClaimed();
      await held;
      return task;
    });
    await claimed;
    let repeatDone = false;
    const repeat = createTask(as(db.tp, 'alice'), { title: 'A' }, { idempotencyKey: 'k' }).finally(
      () => {
        repeatDone = true;
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(repeatDone).toBe(false);
    release();
    const [a, b] = await Promise.all([first, repeat]);
    expect(b).toEqual(a);
    const [row] = await db.tp
      .fork()
      .execute<{ n: number }[]>('select count(*)::int as n from tasks');
    expect(row?.n).toBe(1);
  });

  it('a repeat waiting for a first write that rolls back carries the write out itself', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let firstClaimed!: () => void;
    const claimed = new Promise<void>((resolve) => {
      firstClaimed = resolve;
    });
    class Abort extends Error {}
    const first = db.tp
      .fork()
      .transactional(async (em) => {
        await createTask(
          db.tp.context({ id: 'alice' }, { em }),
          { title: 'A' },
          { idempotencyKey: 'k' },
        );
        firstClaimed();
        await held;
        throw new Abort();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Abort)) throw error;
        return 'rolled back';
      });
    await claimed;
    const repeat = createTask(as(db.tp, 'alice'), { title: 'A' }, { idempotencyKey: 'k' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    expect(await first).toBe('rolled back');
    const task = await repeat;
    expect(task.title).toBe('A');
    const [row] = await db.tp
      .fork()
      .execute<{ n: number }[]>('select count(*)::int as n from tasks');
    expect(row?.n).toBe(1);
  });
});
