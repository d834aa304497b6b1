/**
 * The cross-user probes of cross-user.test.ts, through MCP: an agent acting for a stranger calls
 * every tool that takes an id with the ids of alice's task, team and shares. Every call is an
 * error result saying NOT_FOUND — exactly as for ids that name nothing, so that ids cannot be
 * probed — nothing changes, and no answer carries alice's data. Agents of users who see a task
 * but may not change it get FORBIDDEN, and change nothing either.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { encodeCursor } from '@taskpulse/core';
import { taskpulseMcp } from '@taskpulse/mcp';
import { beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, tokenFor, useApi } from '../harness/api.ts';
import { useSql } from '../harness/database.ts';
import { mutate, query } from '../harness/wire.ts';

interface Probe {
  name: string;
  tool: string;
  args: Record<string, unknown>;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

describe.skipIf(!postgresAvailable)("another user's ids, through MCP [postgres]", () => {
  const api = useApi({ routes: [taskpulseMcp()] });
  const sql = useSql(() => api.databaseUrl);
  const agents: Record<'bob' | 'carol' | 'mallory', Client | undefined> = {
    bob: undefined,
    carol: undefined,
    mallory: undefined,
  };
  const ids = { sharedTask: '', privateTask: '', team: '', malloryTask: '' };
  let probesSent = 0;

  const agent = async (sub: string) => {
    const token = await tokenFor(sub);
    await query(api.url, 'me', token);
    const client = new Client({ name: `${sub}'s agent`, version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    await client.listTools();
    return client;
  };

  beforeAll(async () => {
    const alice = await tokenFor('alice');
    await query(api.url, 'me', alice);
    for (const sub of Object.keys(agents) as (keyof typeof agents)[])
      agents[sub] = await agent(sub);
    ids.team = (
      await mutate<{ id: string }>(api.url, 'teams.create', alice, { name: "alice's team" })
    ).id;
    await mutate(api.url, 'teams.addMember', alice, {
      teamId: ids.team,
      userId: 'carol',
      role: 'member',
    });
    ids.sharedTask = (
      await mutate<{ id: string }>(api.url, 'tasks.create', alice, {
        title: 'shared',
        description: 'my secret',
        teamId: ids.team,
      })
    ).id;
    await mutate(api.url, 'shares.create', alice, {
      taskId: ids.sharedTask,
      userId: 'bob',
      permission: 'view',
    });
    ids.privateTask = (
      await mutate<{ id: string }>(api.url, 'tasks.create', alice, {
        title: 'private',
        description: 'my secret',
      })
    ).id;
    const mallory = await tokenFor('mallory');
    ids.malloryTask = (
      await mutate<{ id: string }>(api.url, 'tasks.create', mallory, { title: 'mine' })
    ).id;
  });

  const probesOn = (target: typeof ids): Probe[] => {
    const tasks = [target.sharedTask, target.privateTask];
    return [
      ...tasks.flatMap((id) => [
        { name: 'get the task', tool: 'get-task', args: { id } },
        { name: 'rename the task', tool: 'update-task', args: { id, title: 'pwned' } },
        {
          name: 'complete the task',
          tool: 'update-task',
          args: { id, status: 'completed', expectedVersion: 1 },
        },
        { name: 'delete the task', tool: 'delete-task', args: { id } },
        {
          name: 'share the task with oneself',
          tool: 'share-task',
          args: { taskId: id, userId: 'mallory', permission: 'edit' },
        },
        {
          name: 'share the task by email',
          tool: 'share-task',
          args: { taskId: id, email: 'mallory@example.com', permission: 'edit' },
        },
        { name: "remove bob's share", tool: 'unshare-task', args: { taskId: id, userId: 'bob' } },
        { name: 'list who the task is shared with', tool: 'find-shares', args: { taskId: id } },
      ]),
      {
        name: 'join the team',
        tool: 'add-team-member',
        args: { teamId: target.team, userId: 'mallory', role: 'owner' },
      },
      {
        name: 'join the team by email',
        tool: 'add-team-member',
        args: { teamId: target.team, email: 'mallory@example.com' },
      },
      {
        name: 'remove a member',
        tool: 'remove-team-member',
        args: { teamId: target.team, userId: 'carol' },
      },
      {
        name: 'remove the owner',
        tool: 'remove-team-member',
        args: { teamId: target.team, userId: 'alice' },
      },
      {
        name: 'file a task under the team',
        tool: 'add-tasks',
        args: { tasks: [{ title: 'planted', teamId: target.team }] },
      },
      {
        name: 'move an own task into the team',
        tool: 'update-task',
        args: { id: ids.malloryTask, teamId: target.team },
      },
    ];
  };

  /** The error code an answer says, from an error result or from a batch's failures. */
  const codeOf = (result: CallToolResult): string => {
    const failures = (result.structuredContent as { failures?: { code: string }[] } | undefined)
      ?.failures;
    if (!result.isError && failures?.length) return failures[0]?.code ?? 'ok';
    if (!result.isError) return 'ok';
    const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
    if (/^No such|^No user|not a member/.test(text)) return 'NOT_FOUND';
    if (/may not do this/.test(text)) return 'FORBIDDEN';
    return `unexpected: ${text}`;
  };

  const send = async (client: Client | undefined, probe: Probe) => {
    probesSent += 1;
    return (await client?.callTool({ name: probe.tool, arguments: probe.args })) as CallToolResult;
  };

  const expectAll = async (client: Client | undefined, probes: Probe[], code: string) => {
    for (const probe of probes) {
      const result = await send(client, probe);
      expect([probe.name, probe.tool, codeOf(result)]).toEqual([probe.name, probe.tool, code]);
      expect(JSON.stringify(result)).not.toMatch(/my secret|alice@example\.com/);
    }
  };

  it("answers a stranger's agent NOT_FOUND for every id of alice's, and changes nothing", async () => {
    const before = await sql.fingerprint();
    await expectAll(agents.mallory, probesOn(ids), 'NOT_FOUND');
    expect(await sql.fingerprint()).toEqual(before);
  });

  it('answers exactly as for ids that name nothing: the answers tell nothing apart', async () => {
    const random = () => crypto.randomUUID();
    const made = probesOn({ ...ids, sharedTask: random(), privateTask: random(), team: random() });
    for (const [i, probe] of probesOn(ids).entries()) {
      const a = await send(agents.mallory, probe);
      const b = await send(agents.mallory, made[i] as Probe);
      const strip = (result: CallToolResult) => JSON.stringify(result).replace(UUID, '<id>');
      expect([probe.name, strip(a)]).toEqual([probe.name, strip(b)]);
    }
  });

  it("finds none of alice's tasks or teams for a stranger, whatever the filter or cursor", async () => {
    const found = async (args: Record<string, unknown>) =>
      (
        (await send(agents.mallory, { name: 'find', tool: 'find-tasks', args }))
          .structuredContent as {
          items: { id: string }[];
        }
      ).items.map((task) => task.id);
    expect(await found({})).toEqual([ids.malloryTask]);
    for (const scope of ['owned', 'shared', 'team', 'all']) {
      expect(await found({ scope })).not.toContain(ids.sharedTask);
    }
    expect(await found({ teamId: ids.team })).toEqual([]);
    const cursor = encodeCursor({ createdAt: '2999-01-01T00:00:00.000000Z', id: ids.sharedTask });
    expect(await found({ cursor })).toEqual([ids.malloryTask]);
    const teams = await send(agents.mallory, { name: 'teams', tool: 'find-teams', args: {} });
    expect((teams.structuredContent as { items: unknown[] }).items).toEqual([]);
    const dashboard = await send(agents.mallory, {
      name: 'dashboard',
      tool: 'get-dashboard',
      args: { figures: ['shared'] },
    });
    expect(dashboard.structuredContent).toEqual({
      shared: { totalShared: 0, viewOnly: 0, canEdit: 0, sharedByMe: 0 },
    });
  });

  it('answers FORBIDDEN to agents of users who see a task but may not change it, NOT_FOUND for the rest', async () => {
    const before = await sql.fingerprint();
    const id = ids.sharedTask;
    const forbidden: Probe[] = [
      { name: 'rename', tool: 'update-task', args: { id, title: 'pwned' } },
      { name: 'complete', tool: 'complete-tasks', args: { ids: [id] } },
      { name: 'delete', tool: 'delete-task', args: { id } },
      {
        name: 'share',
        tool: 'share-task',
        args: { taskId: id, userId: 'mallory', permission: 'edit' },
      },
      { name: 'unshare', tool: 'unshare-task', args: { taskId: id, userId: 'bob' } },
      { name: 'list shares', tool: 'find-shares', args: { taskId: id } },
    ];
    // bob: shared at view; carol: a plain member of the task's team
    await expectAll(agents.bob, forbidden, 'FORBIDDEN');
    await expectAll(agents.carol, forbidden, 'FORBIDDEN');
    await expectAll(
      agents.carol,
      [
        {
          name: 'add a member',
          tool: 'add-team-member',
          args: { teamId: ids.team, userId: 'mallory' },
        },
      ],
      'FORBIDDEN',
    );
    for (const client of [agents.bob, agents.carol]) {
      await expectAll(
        client,
        probesOn(ids).filter((probe) => JSON.stringify(probe.args).includes(ids.privateTask)),
        'NOT_FOUND',
      );
    }
    expect(await sql.fingerprint()).toEqual(before);
    console.info(`cross-user through MCP: ${probesSent} probes with other users' ids`);
  });
});
