/** Change events across instances through PostgreSQL LISTEN/NOTIFY. */
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { describeDatabases, describePostgres } from '../../test/databases.ts';
import { as, createUsers } from '../../test/fixtures.ts';
import { startTcpProxy, type TcpProxy } from '../../test/tcp-proxy.ts';
import { runWrite } from '../context.ts';
import { createTaskpulse, type Taskpulse } from '../create-taskpulse.ts';
import { newId } from '../schema/entities.ts';
import { createTask } from '../tasks/index.ts';
import { addMember, createTeam } from '../teams/index.ts';
import type { ChangeEvent } from './change-event.ts';
import { CHANGE_CHANNEL } from './postgres-bus.ts';

/** Collects the events a bus delivers, and waits for them. */
function recorder(tp: Taskpulse) {
  const events: ChangeEvent[] = [];
  tp.events.subscribe((event) => events.push(event));
  const waitFor = async (predicate: (events: ChangeEvent[]) => boolean, ms = 2_000) => {
    const deadline = Date.now() + ms;
    while (!predicate(events)) {
      if (Date.now() > deadline)
        throw new Error(`timed out; got ${JSON.stringify(events.map((e) => e.type))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return { events, waitFor };
}

describePostgres('change events across instances', (db) => {
  let a: Taskpulse;
  let b: Taskpulse;
  let proxy: TcpProxy;
  beforeAll(async () => {
    a = await createTaskpulse({ database: { url: db.url! }, changeEvents: 'postgres' });
    // b reaches the server through a proxy that the last test cuts
    const url = new URL(db.url!);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    b = await createTaskpulse({ database: { url: url.toString() }, changeEvents: 'postgres' });
    await createUsers(a, [
      'alice',
      'bob',
      ...Array.from({ length: 400 }, (_, i) => `member-with-a-long-identity-${i}`),
    ]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await proxy?.close();
  });
  let onA: ReturnType<typeof recorder>;
  let onB: ReturnType<typeof recorder>;
  beforeEach(() => {
    onA = recorder(a);
    onB = recorder(b);
  });

  it('delivers a write on A to B, once, with the same event', async () => {
    const task = await createTask(as(a, 'alice'), { title: 'from A' });
    await onB.waitFor((events) => events.length === 1);
    expect(onB.events[0]).toMatchObject({
      type: 'task.created',
      taskId: task.id,
      actorId: 'alice',
      affectedUserIds: ['alice'],
    });
    expect(onA.events).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(onA.events).toHaveLength(1); // A does not get its own notification back
    expect(onB.events).toHaveLength(1);
  });

  it('ignores, with a warning, a notification that is not a change event, and delivers the next', async () => {
    const warn = vi.fn();
    const logger = { debug: vi.fn(), info: vi.fn(), warn, error: vi.fn() };
    const c = await createTaskpulse({
      database: { url: db.url! },
      changeEvents: 'postgres',
      logger,
    });
    try {
      const onC = recorder(c);
      const notify = (payload: string) =>
        a.fork().execute(`select pg_notify('${CHANGE_CHANNEL}', ?)`, [payload]);
      const at = new Date().toISOString();
      await notify('not json');
      await notify(
        JSON.stringify({
          o: 'other',
          e: { type: 'task.exploded', actorId: 'x', affectedUserIds: [], at },
        }),
      );
      await notify(JSON.stringify({ o: 'other', e: { type: 'task.created', actorId: 'x', at } }));
      await notify(
        JSON.stringify({
          o: 'other',
          e: { type: 'resync', actorId: '', affectedUserIds: ['bob'], at },
        }),
      );
      await onC.waitFor((events) => events.length === 1);
      expect(onC.events).toEqual([
        { type: 'resync', actorId: '', affectedUserIds: ['bob'], at: new Date(at) },
      ]);
      expect(warn.mock.calls.map(([, message]) => message)).toEqual([
        'taskpulse: ignored a malformed change notification',
        'taskpulse: ignored a malformed change notification',
        'taskpulse: ignored a malformed change notification',
      ]);
    } finally {
      await c.close();
    }
  });

  it('sends nothing for a rolled-back write', async () => {
    await runWrite(as(a, 'alice'), async () => {
      return { result: null, change: { type: 'task.created', affectedUserIds: ['alice'] } };
    });
    await expect(
      runWrite(as(a, 'alice'), async (em) => {
        await em.execute("insert into tasks (id, user_id, title) values (?, 'alice', '')", [
          newId(),
        ]);
        return { result: null, change: { type: 'task.created', affectedUserIds: ['bob'] } };
      }),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
    await onB.waitFor((events) => events.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(onB.events.map((e) => e.affectedUserIds)).toEqual([['alice']]);
  });

  it('splits an event with many affected users under the NOTIFY size limit, losing none', async () => {
    const team = await createTeam(as(a, 'alice'), { name: 'big' });
    const members = Array.from({ length: 400 }, (_, i) => `member-with-a-long-identity-${i}`);
    await a
      .fork()
      .execute(
        `insert into team_members (id, team_id, user_id, role) select gen_random_uuid(), ?, u, 'member' from unnest(?::text[]) u`,
        [team.id, `{${members.join(',')}}`],
      );
    await addMember(as(a, 'alice'), { teamId: team.id, userId: 'bob' });
    const expected = ['alice', 'bob', ...members].sort();
    await onB.waitFor(
      (events) =>
        events.filter((e) => e.type === 'team.member_added').flatMap((e) => e.affectedUserIds)
          .length === expected.length,
    );
    const received = onB.events.filter((e) => e.type === 'team.member_added');
    expect(received.length).toBeGreaterThan(1);
    expect(received.flatMap((e) => e.affectedUserIds).sort()).toEqual(expected);
  });

  it('reconnects after losing its session and publishes a resync, then delivers again', async () => {
    proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.restore();
    await onB.waitFor((events) => events.some((e) => e.type === 'resync'), 10_000);
    await createTask(as(a, 'alice'), { title: 'after the outage' });
    await onB.waitFor((events) => events.some((e) => e.type === 'task.created'), 3_000);
  });
});

describeDatabases('change events with changeEvents: postgres', (db) => {
  it('publishes each write once on a single instance', async () => {
    const tp = await createTaskpulse({
      database: db.kind === 'postgres' ? { url: db.url! } : { embedded: {} },
      changeEvents: 'postgres',
      migrate: true,
    });
    try {
      await createUsers(tp, ['carol']);
      const { events, waitFor } = recorder(tp);
      await createTask(as(tp, 'carol'), { title: 'once' });
      await waitFor((list) => list.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(events.map((e) => e.type)).toEqual(['task.created']);
    } finally {
      await tp.close();
    }
  });
});
