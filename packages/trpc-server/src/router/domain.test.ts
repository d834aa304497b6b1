/**
 * Every domain procedure over real HTTP against PostgreSQL, through a typed tRPC client:
 * happy paths, another user's ids, invalid inputs, and live figures on one and two servers.
 */

import { createTaskpulse, type LiveSnapshot, type Taskpulse } from '@taskpulse/core';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, postgresAvailable, useTestApi } from '../../test/api.ts';
import { clientFor } from '../../test/client.ts';
import { signHs256, TEST_SECRET } from '../../test/tokens.ts';
import { createTaskpulseServer, type TaskpulseServer } from '../index.ts';

type Client = Awaited<ReturnType<typeof clientFor>>;

/** The tRPC error code a call failed with. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof TRPCClientError) return (error.data as { code: string }).code;
    throw error;
  }
}

/** Subscribes to dashboard.live and collects what it emits. */
function watch(client: Client, input: { timeZone?: string } = {}) {
  const emissions: LiveSnapshot[] = [];
  const errors: unknown[] = [];
  const subscription = client.dashboard.live.subscribe(input, {
    onData: (data) => emissions.push(data.data),
    onError: (error) => errors.push(error),
  });
  const until = async (predicate: (last: LiveSnapshot | undefined) => boolean, ms = 5_000) => {
    const deadline = Date.now() + ms;
    while (!predicate(emissions.at(-1))) {
      if (errors.length > 0) throw errors[0];
      if (Date.now() > deadline)
        throw new Error(`live never matched; last: ${JSON.stringify(emissions.at(-1))}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return emissions.at(-1)!;
  };
  return { emissions, until, stop: () => subscription.unsubscribe() };
}

describe.skipIf(!postgresAvailable)('domain procedures over HTTP [postgres]', () => {
  const api = useTestApi();
  let alice: Client;
  let bob: Client;
  let mallory: Client;
  beforeAll(async () => {
    alice = await clientFor(api.url, 'alice');
    bob = await clientFor(api.url, 'bob');
    mallory = await clientFor(api.url, 'mallory');
    // each signs in once (just-in-time provisioning)
    await Promise.all([alice.me.query(), bob.me.query(), mallory.me.query()]);
  });

  it('runs the happy path of every procedure', async () => {
    expect(await alice.me.query()).toMatchObject({
      id: 'alice',
      name: 'alice',
      email: 'alice@example.com',
    });
    expect(await alice.health.query()).toEqual({ status: 'ok', database: 'up' });

    const team = await alice.teams.create.mutate({ name: 'Launch' });
    expect(team).toMatchObject({ name: 'Launch', role: 'owner', memberCount: 1 });
    expect(
      await alice.teams.addMember.mutate({ teamId: team.id, userId: 'bob', role: 'admin' }),
    ).toMatchObject({ role: 'admin' });
    expect((await bob.teams.list.query({})).items.map((t) => t.id)).toEqual([team.id]);

    const task = await alice.tasks.create.mutate({
      title: 'Write docs',
      dueAt: '2020-01-01T00:00:00Z',
      teamId: team.id,
    });
    expect(task).toMatchObject({
      title: 'Write docs',
      status: 'pending',
      version: 1,
      access: 'owner',
      dueAt: '2020-01-01T00:00:00.000Z',
    });
    expect(typeof task.createdAt).toBe('string');
    expect(await bob.tasks.get.query({ id: task.id })).toMatchObject({
      id: task.id,
      access: 'edit',
    });
    const done = await bob.tasks.update.mutate({
      id: task.id,
      status: 'completed',
      expectedVersion: 1,
    });
    expect(done).toMatchObject({ status: 'completed', version: 2 });
    expect(done.completedAt).not.toBeNull();
    expect(
      (await alice.tasks.list.query({ scope: 'owned', status: 'completed' })).items.map(
        (t) => t.id,
      ),
    ).toEqual([task.id]);

    const share = await alice.shares.create.mutate({
      taskId: task.id,
      userId: 'mallory',
      permission: 'view',
    });
    expect(share).toMatchObject({ permission: 'view', sharedWith: { id: 'mallory' } });
    expect((await alice.shares.list.query({ taskId: task.id })).items).toHaveLength(1);
    expect(await alice.shares.delete.mutate({ taskId: task.id, userId: 'mallory' })).toEqual({
      taskId: task.id,
      userId: 'mallory',
    });

    const conversation = await alice.conversations.create.mutate({ title: 'Plan' });
    await alice.messages.append.mutate({
      conversationId: conversation.id,
      role: 'user',
      content: 'Hello',
    });
    await alice.messages.append.mutate({
      conversationId: conversation.id,
      role: 'assistant',
      content: 'Hi!',
    });
    expect(
      (await alice.messages.list.query({ conversationId: conversation.id })).items.map(
        (m) => m.content,
      ),
    ).toEqual(['Hello', 'Hi!']);
    expect((await alice.conversations.list.query({})).items.map((c) => c.title)).toEqual(['Plan']);

    expect(await alice.dashboard.statistics.query()).toEqual({
      total: 1,
      pending: 0,
      completed: 1,
      shared: 0,
      overdue: 0,
    });
    expect(await alice.dashboard.breakdown.query()).toMatchObject({
      total: 1,
      byPriority: { medium: 1 },
    });
    expect(await alice.dashboard.shared.query()).toEqual({
      totalShared: 0,
      viewOnly: 0,
      canEdit: 0,
      sharedByMe: 0,
    });
    const activity = await alice.dashboard.activity.query({
      timeZone: 'Europe/Berlin',
      weekStartsOn: 0,
    });
    expect(activity).toMatchObject({ createdToday: 1, completedToday: 1, completionRate: 1 });
    expect(activity.window.timeZone).toBe('Europe/Berlin');
    const trend = await alice.dashboard.trend.query({ days: 7 });
    expect(trend).toHaveLength(7);
    expect(trend.at(-1)).toMatchObject({ created: 1, completed: 1 });

    expect(await alice.teams.removeMember.mutate({ teamId: team.id, userId: 'bob' })).toEqual({
      teamId: team.id,
      userId: 'bob',
    });
    expect(await alice.tasks.delete.mutate({ id: task.id })).toEqual({ id: task.id });
  });

  it('answers NOT_FOUND for another user’s ids, and changes nothing', async () => {
    const task = await alice.tasks.create.mutate({ title: 'private' });
    const team = await alice.teams.create.mutate({ name: 'private team' });
    const conversation = await alice.conversations.create.mutate({ title: 'private chat' });
    const probes: (() => Promise<unknown>)[] = [
      () => mallory.tasks.get.query({ id: task.id }),
      () => mallory.tasks.update.mutate({ id: task.id, title: 'mine' }),
      () => mallory.tasks.delete.mutate({ id: task.id }),
      () =>
        mallory.shares.create.mutate({ taskId: task.id, userId: 'mallory', permission: 'edit' }),
      () => mallory.shares.delete.mutate({ taskId: task.id, userId: 'bob' }),
      () => mallory.shares.list.query({ taskId: task.id }),
      () => mallory.teams.addMember.mutate({ teamId: team.id, userId: 'mallory' }),
      () => mallory.teams.removeMember.mutate({ teamId: team.id, userId: 'alice' }),
      () => mallory.messages.list.query({ conversationId: conversation.id }),
      () =>
        mallory.messages.append.mutate({
          conversationId: conversation.id,
          role: 'user',
          content: 'x',
        }),
      () => mallory.tasks.create.mutate({ title: 'x', teamId: team.id }),
    ];
    for (const probe of probes) expect(await codeOf(probe())).toBe('NOT_FOUND');
    expect(await alice.tasks.get.query({ id: task.id })).toMatchObject({
      title: 'private',
      version: 1,
    });
    expect(
      (await alice.teams.list.query({})).items.find((t) => t.id === team.id)?.memberCount,
    ).toBe(1);
  });

  it('answers BAD_REQUEST naming each bad field, over the plain JSON wire too', async () => {
    const token = await signHs256({ sub: 'alice' });
    const cases: [string, unknown, string[][]][] = [
      ['tasks.create', { title: '', priority: 'urgent' }, [['title'], ['priority']]],
      ['tasks.create', { title: 'x', extra: 1 }, [[]]],
      ['tasks.update', { id: 'not-a-uuid', expectedVersion: 0 }, [['id'], ['expectedVersion']]],
      ['tasks.list', { limit: 500, cursor: 'tampered' }, [['limit'], ['cursor']]],
      [
        'shares.create',
        { taskId: '00000000-0000-7000-8000-000000000000', userId: 'bob', permission: 'admin' },
        [['permission']],
      ],
      ['dashboard.trend', { days: 0 }, [['days']]],
      ['dashboard.activity', { timeZone: 'Mars/Base' }, [['timeZone']]],
      [
        'messages.append',
        {
          conversationId: '00000000-0000-7000-8000-000000000000',
          role: 'user',
          content: 'a\u0000b',
        },
        [['content']],
      ],
    ];
    for (const [path, input, paths] of cases) {
      const method = /create|update|append/.test(path) ? 'POST' : 'GET';
      const response = await call(api.url, path, { token, input, method });
      expect([path, response.status]).toEqual([path, 400]);
      expect(response.body.error.data.code).toBe('BAD_REQUEST');
      const got = response.body.error.data.issues.map((issue: { path: string[] }) => issue.path);
      for (const expected of paths)
        expect([path, got]).toEqual([path, expect.arrayContaining([expected])]);
      expect(JSON.stringify(response.body)).not.toMatch(/select |insert |stack/i);
    }
    expect(await api.tp.fork().execute("select id from tasks where title = 'x'")).toEqual([]);
  });

  it('lists with no input at all, as with {}', async () => {
    const token = await signHs256({ sub: 'alice' });
    for (const path of [
      'tasks.list',
      'teams.list',
      'conversations.list',
      'dashboard.statistics',
      'dashboard.activity',
      'dashboard.trend',
    ]) {
      const response = await call(api.url, path, { token });
      expect([path, response.status]).toEqual([path, 200]);
    }
    expect((await alice.tasks.list.query()).items.length).toBeGreaterThan(0);
  });

  it('CONFLICT on a stale expectedVersion', async () => {
    const task = await alice.tasks.create.mutate({ title: 'v1' });
    await alice.tasks.update.mutate({ id: task.id, title: 'v2', expectedVersion: 1 });
    expect(
      await codeOf(alice.tasks.update.mutate({ id: task.id, title: 'stale', expectedVersion: 1 })),
    ).toBe('CONFLICT');
  });

  it('pushes new figures to a live subscriber after a mutation made on another connection', async () => {
    const carol = await clientFor(api.url, 'carol');
    const live = watch(carol, { timeZone: 'UTC' });
    const first = await live.until((last) => last !== undefined);
    // another connection (another client, same user) writes
    const other = await clientFor(api.url, 'carol');
    await other.tasks.create.mutate({ title: 'new', status: 'completed' });
    const next = await live.until((last) => last?.statistics.total === first.statistics.total + 1);
    expect(next.statistics.completed).toBe(first.statistics.completed + 1);
    expect(next.activity.completedToday).toBe(first.activity.completedToday + 1);
    live.stop();
  });

  it('accepts the lastEventId that tRPC clients add when they re-open live (regression: the strict input refused it)', async () => {
    const dave = await clientFor(api.url, 'dave');
    const emissions: unknown[] = [];
    const errors: unknown[] = [];
    const subscription = dave.dashboard.live.subscribe(
      { timeZone: 'UTC', lastEventId: '42' },
      { onData: (event) => emissions.push(event.data), onError: (error) => errors.push(error) },
    );
    try {
      for (let waited = 0; emissions.length === 0 && errors.length === 0; waited += 1) {
        if (waited > 250) throw new Error('live never emitted');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(errors).toEqual([]);
      expect(emissions[0]).toMatchObject({ statistics: { total: 0 } });
    } finally {
      subscription.unsubscribe();
    }
  });
});

describe.skipIf(!postgresAvailable)('live across two servers [postgres]', () => {
  const api = useTestApi({ taskpulse: { changeEvents: 'postgres' } });
  let second: { tp: Taskpulse; server: TaskpulseServer; url: string } | undefined;
  beforeAll(async () => {
    const tp = await createTaskpulse({
      database: { url: api.databaseUrl },
      changeEvents: 'postgres',
    });
    const server = createTaskpulseServer({ taskpulse: tp, auth: { secret: TEST_SECRET } });
    const { url } = await server.listen(0, '127.0.0.1');
    second = { tp, server, url };
  });
  afterAll(async () => {
    await second?.server.close();
    await second?.tp.close();
  });

  it('a mutation on server A reaches a subscriber on server B', async () => {
    const onA = await clientFor(api.url, 'dave');
    const onB = await clientFor(second!.url, 'dave');
    await onA.me.query();
    const live = watch(onB);
    await live.until((last) => last?.statistics.total === 0);
    await onA.tasks.create.mutate({ title: 'written on A' });
    const next = await live.until((last) => last?.statistics.total === 1);
    expect(next.activity.createdToday).toBe(1);
    live.stop();
  });
});
