/**
 * Every tool, driven by the official SDK's Client over Streamable HTTP against the server that
 * also serves tRPC: each answer equals what the tRPC API answers for the same call, and what a
 * plain SQL count says; writes change exactly what they should.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeDatabases } from '../../core/test/databases.ts';
import { MAX_BATCH } from '../src/index.ts';
import {
  callTool,
  connectClient,
  countOf,
  fingerprint,
  sql,
  structured,
  textOf,
  tokenFor,
  trpc,
  useMcpApi,
} from './harness.ts';

interface Task {
  id: string;
  title: string;
  status: string;
  version: number;
  userId: string;
  teamId: string | null;
  completedAt: string | null;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

describeDatabases('MCP tools over Streamable HTTP', (db) => {
  const api = useMcpApi(db);
  const tokens = { alice: '', bob: '', carol: '' };
  let alice: Client;
  let bob: Client;

  beforeAll(async () => {
    for (const user of Object.keys(tokens) as (keyof typeof tokens)[]) {
      tokens[user] = await tokenFor(user);
      await trpc(api.url, 'me', tokens[user]);
    }
    alice = await connectClient(api.url, tokens.alice);
    bob = await connectClient(api.url, tokens.bob);
  });

  it('lists every tool with its schemas and hints', async () => {
    const { tools } = await alice.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'find-tasks',
      'get-task',
      'add-tasks',
      'update-task',
      'complete-tasks',
      'reopen-tasks',
      'delete-task',
      'share-task',
      'unshare-task',
      'find-shares',
      'find-teams',
      'add-team-member',
      'remove-team-member',
      'get-dashboard',
      'get-me',
    ]);
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-z]+(-[a-z]+)+$/);
      expect(tool.description?.length).toBeGreaterThan(60);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.annotations).toMatchObject({ openWorldHint: false });
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint'] as const) {
        expect(typeof tool.annotations?.[hint]).toBe('boolean');
      }
    }
  });

  it('takes an optional idempotencyKey on every write tool, and on no read tool', async () => {
    const { tools } = await alice.listTools();
    for (const tool of tools) {
      const properties = (tool.inputSchema.properties ?? {}) as Record<string, unknown>;
      expect([tool.name, 'idempotencyKey' in properties]).toEqual([
        tool.name,
        tool.annotations?.readOnlyHint === false,
      ]);
      expect(tool.inputSchema.required ?? []).not.toContain('idempotencyKey');
    }
  });

  it('carries a write retried with its idempotencyKey out once, answering the first result', async () => {
    const owned = sql<{ n: number }>`select count(*)::int as n from tasks where user_id = 'alice'`;
    const before = await countOf(api.tp, owned);
    const args = {
      tasks: [{ title: 'Retried once' }, { title: 'Retried twice' }],
      idempotencyKey: 'mcp-add-1',
    };
    const first = await structured<{ tasks: Task[] }>(alice, 'add-tasks', args);
    const again = await structured<{ tasks: Task[] }>(alice, 'add-tasks', args);
    expect(again).toEqual(first);
    expect(await countOf(api.tp, owned)).toBe(before + 2);
    const id = first.tasks[0]!.id;
    const update = { id, title: 'Renamed', idempotencyKey: 'mcp-update-1' };
    await structured(alice, 'update-task', update);
    const repeated = await structured<Task>(alice, 'update-task', update);
    expect(repeated.version).toBe(2);
    // the same key with other arguments changes nothing
    const other = await callTool(alice, 'update-task', { ...update, title: 'Other' });
    expect(other.isError).toBe(true);
    expect(textOf(other)).toMatch(/CONFLICT|Idempotency-Key/);
    expect((await trpc<Task>(api.url, 'tasks.get', tokens.alice, { id })).title).toBe('Renamed');
    const invalid = await callTool(alice, 'update-task', { id, title: 'x', idempotencyKey: 'a b' });
    expect(invalid.isError).toBe(true);
    expect(textOf(invalid)).toMatch(/idempotencyKey/);
  });

  it('adds several tasks in one call, each as tasks.get answers it', async () => {
    const before = await countOf(
      api.tp,
      sql`select count(*)::int as n from tasks where user_id = 'alice'`,
    );
    const { tasks, failures } = await structured<{ tasks: Task[]; failures: unknown[] }>(
      alice,
      'add-tasks',
      {
        tasks: [
          { title: 'Write the launch post', priority: 'high', dueAt: '2020-01-01T09:00:00Z' },
          { title: 'Book the venue', description: 'for 40 people' },
          { title: 'Already done', status: 'completed', priority: 'low' },
        ],
      },
    );
    expect(failures).toEqual([]);
    expect(tasks.map((task) => task.title)).toEqual([
      'Write the launch post',
      'Book the venue',
      'Already done',
    ]);
    for (const task of tasks) {
      expect(task).toEqual(await trpc(api.url, 'tasks.get', tokens.alice, { id: task.id }));
    }
    expect(
      await countOf(api.tp, sql`select count(*)::int as n from tasks where user_id = 'alice'`),
    ).toBe(before + 3);
  });

  it('finds tasks with every tasks.list filter, page by page, as tasks.list does', async () => {
    await structured(alice, 'add-tasks', {
      tasks: Array.from({ length: 7 }, (_, i) => ({
        title: `paged ${i}`,
        priority: i % 2 ? 'high' : 'low',
      })),
    });
    const filters: Record<string, unknown>[] = [
      {},
      { scope: 'owned', status: 'pending' },
      { scope: 'owned', priority: 'high' },
      { scope: 'owned', overdue: true },
      { scope: 'owned', overdue: false },
      { scope: 'owned', createdFrom: '2000-01-01T00:00:00Z', createdTo: '2999-01-01T00:00:00Z' },
      { scope: 'owned', status: 'completed', completedFrom: '2000-01-01T00:00:00Z' },
      { scope: 'owned', sharedByMe: false },
      { scope: 'shared' },
      { scope: 'team' },
    ];
    for (const filter of filters) {
      let cursor: string | undefined;
      let pages = 0;
      do {
        const input = { ...filter, limit: 3, ...(cursor && { cursor }) };
        const viaMcp = await structured<Page<Task>>(alice, 'find-tasks', input);
        const viaTrpc = await trpc<Page<Task>>(api.url, 'tasks.list', tokens.alice, input);
        expect([filter, viaMcp]).toEqual([filter, viaTrpc]);
        cursor = viaMcp.nextCursor ?? undefined;
        pages += 1;
      } while (cursor && pages < 10);
    }
    const owned = await countOf(
      api.tp,
      sql`select count(*)::int as n from tasks where user_id = 'alice'`,
    );
    const all = await structured<Page<Task>>(alice, 'find-tasks', { scope: 'owned', limit: 100 });
    expect(all.items).toHaveLength(owned);
  });

  it('tells the model how to fetch the next page', async () => {
    const first = await callTool(alice, 'find-tasks', { limit: 2 });
    const { nextCursor } = first.structuredContent as unknown as Page<Task>;
    expect(nextCursor).not.toBeNull();
    expect(textOf(first)).toContain(`cursor "${nextCursor}"`);
    const all = await callTool(alice, 'find-tasks', { limit: 100 });
    expect(textOf(all)).toContain('This is the last page.');
  });

  it('gets, updates, completes, reopens and deletes tasks as tRPC would', async () => {
    const { tasks } = await structured<{ tasks: Task[] }>(alice, 'add-tasks', {
      tasks: [{ title: 'a' }, { title: 'b' }],
    });
    const [a, b] = tasks as [Task, Task];
    expect(await structured(alice, 'get-task', { id: a.id })).toEqual(
      await trpc(api.url, 'tasks.get', tokens.alice, { id: a.id }),
    );

    const renamed = await structured<Task>(alice, 'update-task', {
      id: a.id,
      title: 'a, renamed',
      expectedVersion: a.version,
    });
    expect(renamed).toMatchObject({ title: 'a, renamed', version: a.version + 1 });
    expect(renamed).toEqual(await trpc(api.url, 'tasks.get', tokens.alice, { id: a.id }));

    const stale = await callTool(alice, 'update-task', {
      id: a.id,
      title: 'lost update',
      expectedVersion: a.version,
    });
    expect(stale.isError).toBe(true);
    expect(textOf(stale)).toMatch(/changed since you read it.*get-task/);
    expect(await trpc<Task>(api.url, 'tasks.get', tokens.alice, { id: a.id })).toMatchObject({
      title: 'a, renamed',
    });

    const missing = crypto.randomUUID();
    const completed = await structured<{
      tasks: Task[];
      failures: { item: string; code: string }[];
    }>(alice, 'complete-tasks', { ids: [a.id, missing, b.id] });
    expect(completed.tasks.map((task) => [task.id, task.status])).toEqual([
      [a.id, 'completed'],
      [b.id, 'completed'],
    ]);
    expect(completed.failures).toEqual([
      expect.objectContaining({ item: missing, code: 'NOT_FOUND' }),
    ]);
    expect(
      await countOf(
        api.tp,
        sql`select count(*)::int as n from tasks where id in (${a.id}, ${b.id}) and status = 'completed' and completed_at is not null`,
      ),
    ).toBe(2);

    const reopened = await structured<{ tasks: Task[] }>(alice, 'reopen-tasks', { ids: [a.id] });
    expect(reopened.tasks[0]).toMatchObject({ status: 'pending', completedAt: null });
    expect(reopened.tasks[0]).toEqual(await trpc(api.url, 'tasks.get', tokens.alice, { id: a.id }));

    expect(await structured(alice, 'delete-task', { id: b.id })).toEqual({ id: b.id });
    expect(
      await countOf(api.tp, sql`select count(*)::int as n from tasks where id = ${b.id}`),
    ).toBe(0);
  });

  it('shares, lists shares and unshares as the shares procedures do', async () => {
    const { tasks } = await structured<{ tasks: Task[] }>(alice, 'add-tasks', {
      tasks: [{ title: 'shared work' }],
    });
    const task = tasks[0] as Task;
    const share = await structured<{ permission: string; sharedWith: { id: string } }>(
      alice,
      'share-task',
      { taskId: task.id, email: 'bob@example.com', permission: 'view' },
    );
    expect(share).toMatchObject({ permission: 'view', sharedWith: { id: 'bob' } });
    await structured(alice, 'share-task', { taskId: task.id, userId: 'carol', permission: 'edit' });
    const viaMcp = await structured<Page<unknown>>(alice, 'find-shares', { taskId: task.id });
    expect(viaMcp).toEqual(await trpc(api.url, 'shares.list', tokens.alice, { taskId: task.id }));
    expect(viaMcp.items).toHaveLength(2);

    // bob sees it at view: he may read it but not change it
    expect(await structured(bob, 'get-task', { id: task.id })).toMatchObject({ access: 'view' });
    const refused = await callTool(bob, 'update-task', { id: task.id, title: 'mine now' });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(
      /^You can see this task but not edit it\. The user may not do this/,
    );

    expect(await structured(alice, 'unshare-task', { taskId: task.id, userId: 'bob' })).toEqual({
      taskId: task.id,
      userId: 'bob',
    });
    const gone = await callTool(bob, 'get-task', { id: task.id });
    expect(gone.isError).toBe(true);
    expect(textOf(gone)).toMatch(/^No such task/);
    expect(
      await countOf(
        api.tp,
        sql`select count(*)::int as n from task_shares where task_id = ${task.id}`,
      ),
    ).toBe(1);
  });

  it('lists teams and adds and removes members as the teams procedures do', async () => {
    const team = await trpc<{ id: string }>(
      api.url,
      'teams.create',
      tokens.alice,
      { name: 'Launch' },
      'POST',
    );
    const member = await structured(alice, 'add-team-member', {
      teamId: team.id,
      userId: 'bob',
      role: 'admin',
    });
    expect(member).toMatchObject({ teamId: team.id, userId: 'bob', role: 'admin' });
    expect(await structured(alice, 'find-teams')).toEqual(
      await trpc(api.url, 'teams.list', tokens.alice),
    );
    expect(await structured(bob, 'find-teams')).toEqual(
      await trpc(api.url, 'teams.list', tokens.bob),
    );
    expect(
      await countOf(
        api.tp,
        sql`select count(*)::int as n from team_members where team_id = ${team.id}`,
      ),
    ).toBe(2);
    expect(
      await structured(alice, 'remove-team-member', { teamId: team.id, userId: 'bob' }),
    ).toEqual({
      teamId: team.id,
      userId: 'bob',
    });
    expect(
      await countOf(
        api.tp,
        sql`select count(*)::int as n from team_members where team_id = ${team.id}`,
      ),
    ).toBe(1);
  });

  it('reads the dashboard, one figure or all, equal to the dashboard procedures and SQL', async () => {
    const input = { timeZone: 'Asia/Kathmandu', weekStartsOn: 0, days: 7 };
    const all = await structured<Record<string, unknown>>(alice, 'get-dashboard', input);
    expect(all).toEqual({
      statistics: await trpc(api.url, 'dashboard.statistics', tokens.alice),
      activity: await trpc(api.url, 'dashboard.activity', tokens.alice, {
        timeZone: input.timeZone,
        weekStartsOn: input.weekStartsOn,
      }),
      breakdown: await trpc(api.url, 'dashboard.breakdown', tokens.alice),
      shared: await trpc(api.url, 'dashboard.shared', tokens.alice),
      trend: await trpc(api.url, 'dashboard.trend', tokens.alice, {
        timeZone: input.timeZone,
        days: input.days,
      }),
    });
    const statistics = all.statistics as { total: number; pending: number; completed: number };
    expect(statistics.total).toBe(
      await countOf(api.tp, sql`select count(*)::int as n from tasks where user_id = 'alice'`),
    );
    expect(statistics.completed).toBe(
      await countOf(
        api.tp,
        sql`select count(*)::int as n from tasks where user_id = 'alice' and status = 'completed'`,
      ),
    );
    expect((all.trend as unknown[]).length).toBe(7);

    const one = await callTool(alice, 'get-dashboard', { figures: ['breakdown'] });
    expect(Object.keys(one.structuredContent ?? {})).toEqual(['breakdown']);
    expect(textOf(one)).toMatch(/^Breakdown: \d+ pending/);
  });

  it('says who the user is, as me does', async () => {
    expect(await structured(alice, 'get-me')).toEqual(await trpc(api.url, 'me', tokens.alice));
  });

  it('answers bad arguments with an error result that names the field, and writes nothing', async () => {
    const before = await fingerprint(api.tp);
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['add-tasks', { tasks: [{ title: '' }] }, /tasks\.0\.title: must not be empty/],
      [
        'add-tasks',
        { tasks: [{ title: 'x'.repeat(201) }] },
        /tasks\.0\.title: must be at most 200/,
      ],
      ['add-tasks', { tasks: [{ title: 'ok', description: 'd'.repeat(10_001) }] }, /description/],
      ['add-tasks', { tasks: [] }, /tasks/],
      [
        'add-tasks',
        { tasks: Array.from({ length: MAX_BATCH + 1 }, () => ({ title: 'too many' })) },
        /tasks/,
      ],
      ['add-tasks', {}, /tasks/],
      ['add-tasks', { tasks: [{ title: 42 }] }, /title/],
      ['add-tasks', { tasks: [{ title: 'ok', dueAt: 'tomorrow' }] }, /dueAt/],
      ['add-tasks', { tasks: [{ title: 'ok', surprise: true }] }, /surprise|Unrecognized/i],
      ['update-task', { id: 'not-an-id', title: 'x' }, /id: must be an id/],
      ['update-task', { id: crypto.randomUUID() }, /names nothing to change/],
      ['complete-tasks', { ids: 'abc' }, /ids/],
      ['find-tasks', { limit: 1000 }, /limit/],
      ['find-tasks', { cursor: 'forged' }, /cursor: is not a cursor this API returned/],
      ['find-tasks', { permission: 'edit' }, /permission/],
      ['get-dashboard', { timeZone: 'Mars/Olympus' }, /time zone|timeZone/i],
      ['get-dashboard', { days: 0 }, /days/],
      [
        'share-task',
        { taskId: crypto.randomUUID(), permission: 'view' },
        /exactly one of userId and email/,
      ],
    ];
    for (const [tool, args, pattern] of cases) {
      const result = await callTool(alice, tool, args);
      expect([tool, args, result.isError]).toEqual([tool, args, true]);
      expect(textOf(result)).toMatch(pattern);
      expect(result.structuredContent).toBeUndefined();
    }
    expect(await fingerprint(api.tp)).toBe(before);
  });

  it('answers an unknown tool with a JSON-RPC error, and the session goes on', async () => {
    await expect(alice.callTool({ name: 'drop-tables', arguments: {} })).rejects.toThrow(
      /Unknown tool: drop-tables/,
    );
    expect(await structured(alice, 'get-me')).toMatchObject({ id: 'alice' });
  });
});

describe('tool results for models', () => {
  it('keep domain messages and say what to do next', async () => {
    const { describeError } = await import('../src/tools/failures.ts');
    const { TaskpulseError } = await import('@taskpulse/core');
    expect(describeError(new TaskpulseError('CONFLICT', 'The task changed.')).message).toBe(
      'The task changed. Read the current state (get-task) and retry only if the change still makes sense.',
    );
    // an unexpected failure says nothing of its cause
    const internal = describeError(
      new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2'),
    );
    expect(internal).toEqual({
      code: 'INTERNAL',
      message: expect.not.stringMatching(/ECONN|hunter2/),
    });
  });
});
