import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeEach, expect, it } from 'vitest';
import { describeDatabases, describePostgres } from '../../test/databases.ts';
import { as, createUsers } from '../../test/fixtures.ts';
import { createTaskpulse } from '../create-taskpulse.ts';
import { InProcessChangeEventBus } from '../events/index.ts';
import { createShare } from '../sharing/index.ts';
import { createTask, listTasks, updateTask } from '../tasks/index.ts';
import { createDashboard, type LiveEmission } from './dashboard.ts';
import { getStatistics } from './stats-service.ts';

/** Reads a live stream in the background, collecting its emissions. */
function collect(stream: AsyncGenerator<LiveEmission>) {
  const emissions: LiveEmission[] = [];
  const done = (async () => {
    for await (const emission of stream) emissions.push(emission);
  })();
  const waitFor = async (count: number, ms = 3_000) => {
    const deadline = Date.now() + ms;
    while (emissions.length < count) {
      if (Date.now() > deadline)
        throw new Error(`expected ${count} emissions, got ${emissions.length}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return { emissions, done, waitFor };
}

describeDatabases('dashboard', (db) => {
  const listTasksFor = (user: string) => listTasks(as(db.tp, user), { scope: 'owned' });
  beforeEach(async () => {
    await db.tp.fork().execute('truncate users, tasks, task_shares cascade');
    await createUsers(db.tp, ['alice', 'bob']);
    await db.tp.cache?.invalidateUsers(['alice', 'bob']);
  });

  it('serves figures from the cache, and a write through the SDK invalidates them at once', async () => {
    const cache = db.tp.cache!;
    const before = cache.stats();
    expect((await db.tp.dashboard.statistics(as(db.tp, 'alice'))).total).toBe(0);
    expect((await db.tp.dashboard.statistics(as(db.tp, 'alice'))).total).toBe(0);
    expect(cache.stats().hits - before.hits).toBe(1);
    expect(cache.stats().misses - before.misses).toBe(1);

    const task = await createTask(as(db.tp, 'alice'), { title: 'new' });
    expect((await db.tp.dashboard.statistics(as(db.tp, 'alice'))).total).toBe(1);
    // bob's figures change when a task is shared with him
    expect((await db.tp.dashboard.shared(as(db.tp, 'bob'))).totalShared).toBe(0);
    await createShare(as(db.tp, 'alice'), { taskId: task.id, userId: 'bob', permission: 'view' });
    expect(await db.tp.dashboard.shared(as(db.tp, 'bob'))).toEqual({
      totalShared: 1,
      viewOnly: 1,
      canEdit: 0,
      sharedByMe: 0,
    });
  });

  it('keys figures by their parameters', async () => {
    const utc = await db.tp.dashboard.activity(as(db.tp, 'alice'), { timeZone: 'UTC' });
    const kolkata = await db.tp.dashboard.activity(as(db.tp, 'alice'), {
      timeZone: 'Asia/Kolkata',
    });
    expect(utc.window.timeZone).toBe('UTC');
    expect(kolkata.window.timeZone).toBe('Asia/Kolkata');
    expect((await db.tp.dashboard.trend(as(db.tp, 'alice'), { days: 3 })).length).toBe(3);
    expect((await db.tp.dashboard.trend(as(db.tp, 'alice'), { days: 5 })).length).toBe(5);
    await expect(db.tp.dashboard.trend(as(db.tp, 'alice'), { days: 0 })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('live: emits at once, then after a write made elsewhere, and ends on abort', async () => {
    const abort = new AbortController();
    const live = collect(
      db.tp.dashboard.live(
        as(db.tp, 'alice'),
        { timeZone: 'UTC' },
        { signal: abort.signal, coalesceMs: 10 },
      ),
    );
    await live.waitFor(1);
    expect(live.emissions[0]?.data.statistics.total).toBe(0);
    await createTask(as(db.tp, 'alice'), { title: 'from another connection' });
    await live.waitFor(2);
    expect(live.emissions[1]?.data.statistics.total).toBe(1);
    expect(live.emissions[1]?.data.activity.createdToday).toBe(1);
    expect(live.emissions[1]!.id > live.emissions[0]!.id).toBe(true);
    // a write that leaves statistics and activity as they were still emits (breakdown moved)
    const [latest] = (await listTasksFor('alice')).items;
    await updateTask(as(db.tp, 'alice'), { id: latest!.id, priority: 'high' });
    await live.waitFor(3);
    expect(live.emissions[2]?.data.statistics).toEqual(live.emissions[1]?.data.statistics);
    // someone else's write does not wake alice's stream
    await createTask(as(db.tp, 'bob'), { title: 'not alice' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(live.emissions).toHaveLength(3);
    abort.abort();
    await live.done;
  });

  it('live: a burst of 100 writes in a few milliseconds gives a few emissions, the last one exact', async () => {
    const abort = new AbortController();
    const live = collect(db.tp.dashboard.live(as(db.tp, 'alice'), {}, { signal: abort.signal }));
    await live.waitFor(1);
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        createTask(as(db.tp, 'alice'), { title: `burst ${i}` }),
      ),
    );
    const exact = await getStatistics(as(db.tp, 'alice'));
    expect(exact.total).toBe(100);
    const deadline = Date.now() + 5_000;
    while (live.emissions.at(-1)?.data.statistics.total !== 100 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    abort.abort();
    await live.done;
    const after = live.emissions.length - 1;
    expect(after).toBeGreaterThanOrEqual(1);
    expect(after).toBeLessThanOrEqual(12);
    expect(live.emissions.at(-1)?.data.statistics).toEqual(exact);
  });
});

describePostgres('dashboard cache time-to-live', (db) => {
  it('shows a write made behind the SDK’s back within the time-to-live', async () => {
    const tp = await createTaskpulse({ database: { url: db.url! }, cache: { ttlMs: 300 } });
    try {
      await createUsers(tp, ['carol']);
      expect((await tp.dashboard.statistics(as(tp, 'carol'))).total).toBe(0);
      await tp
        .fork()
        .execute(
          "insert into tasks (id, user_id, title) values (gen_random_uuid(), 'carol', 'behind')",
        );
      expect((await tp.dashboard.statistics(as(tp, 'carol'))).total).toBe(0); // still cached
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect((await tp.dashboard.statistics(as(tp, 'carol'))).total).toBe(1);
    } finally {
      await tp.close();
    }
  });
});

/** The heap after a full collection (gc exposed at run time, since the vitest fork runs without --expose-gc). */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describePostgres('dashboard.live over many bursts', (db) => {
  it('regression (issue 20, leaked abort listener per burst): thousands of bursts keep one abort listener and a flat heap', async () => {
    await db.tp.fork().execute('truncate users, tasks, task_shares cascade');
    await createUsers(db.tp, ['alice']);
    // its own bus (not the cache's), so that each burst wakes the stream and reads cached figures
    const events = new InProcessChangeEventBus();
    const dashboard = createDashboard({ cache: db.tp.cache, events });
    const abort = new AbortController();
    const stream = dashboard.live(as(db.tp, 'alice'), {}, { signal: abort.signal, coalesceMs: 0 });
    const burst = async () => {
      const next = stream.next();
      events.publish({
        type: 'task.updated',
        actorId: 'alice',
        affectedUserIds: ['alice'],
        at: new Date(),
      });
      const { done } = await next;
      expect(done).toBe(false);
    };
    expect((await stream.next()).done).toBe(false);
    for (let i = 0; i < 500; i++) await burst(); // warm up
    const listenersBefore = getEventListeners(abort.signal, 'abort').length;
    const heapBefore = heapAfterGc();
    const bursts = 3_000;
    for (let i = 0; i < bursts; i++) await burst();
    const heapAfter = heapAfterGc();
    const listenersAfter = getEventListeners(abort.signal, 'abort').length;
    console.info(
      `dashboard.live after ${bursts + 500} bursts: ${listenersAfter} abort listener(s) (${listenersBefore} after 500), heap ${((heapAfter - heapBefore) / 1024).toFixed(0)} kB over ${bursts} bursts`,
    );
    // one listener: the one that ends the wait for writes when the stream is aborted
    expect(listenersBefore).toBe(1);
    expect(listenersAfter).toBe(1);
    // a leaked listener (closure, timer, resolver) is hundreds of bytes: 3000 of them are
    // about a megabyte, far above this tolerance
    expect(heapAfter - heapBefore).toBeLessThan(400 * 1024);
    abort.abort();
    expect((await stream.next()).done).toBe(true);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });
});
