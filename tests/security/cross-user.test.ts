/**
 * Another user's ids, over real HTTP: every procedure that takes an id, called by a stranger
 * with the ids of alice's task, team, share and conversation, answers NOT_FOUND — exactly as it
 * answers for an id that names nothing, so that ids cannot be probed — and changes nothing.
 * Users who can see an object but not change it get FORBIDDEN, and change nothing either.
 */
import { encodeCursor } from '@taskpulse/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, tokenFor, useApi } from '../harness/api.ts';
import { useSql } from '../harness/database.ts';
import { type CallKind, mutate, outcomeOf, query, send } from '../harness/wire.ts';

interface Probe {
  name: string;
  procedure: string;
  kind: CallKind;
  input: Record<string, unknown>;
}

describe.skipIf(!postgresAvailable)("another user's ids [postgres]", () => {
  const api = useApi();
  const sql = useSql(() => api.databaseUrl);
  const tokens: Record<'alice' | 'bob' | 'carol' | 'mallory', string> = {
    alice: '',
    bob: '',
    carol: '',
    mallory: '',
  };
  const ids = {
    sharedTask: '',
    privateTask: '',
    team: '',
    conversation: '',
    malloryTask: '',
  };
  let probesSent = 0;

  beforeAll(async () => {
    for (const user of Object.keys(tokens) as (keyof typeof tokens)[]) {
      tokens[user] = await tokenFor(user);
      await query(api.url, 'me', tokens[user]);
    }
    const { alice } = tokens;
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
        teamId: ids.team,
      })
    ).id;
    await mutate(api.url, 'shares.create', alice, {
      taskId: ids.sharedTask,
      userId: 'bob',
      permission: 'view',
    });
    ids.privateTask = (
      await mutate<{ id: string }>(api.url, 'tasks.create', alice, { title: 'private' })
    ).id;
    ids.conversation = (
      await mutate<{ id: string }>(api.url, 'conversations.create', alice, { title: 'secret' })
    ).id;
    await mutate(api.url, 'messages.append', alice, {
      conversationId: ids.conversation,
      role: 'user',
      content: 'my secret',
    });
    ids.malloryTask = (
      await mutate<{ id: string }>(api.url, 'tasks.create', tokens.mallory, { title: 'mine' })
    ).id;
  });

  /** Every id-taking procedure, aimed at `target`'s objects. */
  const probesOn = (target: typeof ids): Probe[] => {
    const m = (name: string, procedure: string, input: Record<string, unknown>): Probe => ({
      name,
      procedure,
      kind: 'mutation',
      input,
    });
    const q = (name: string, procedure: string, input: Record<string, unknown>): Probe => ({
      name,
      procedure,
      kind: 'query',
      input,
    });
    const tasks = [target.sharedTask, target.privateTask];
    return [
      ...tasks.flatMap((id) => [
        q('get the task', 'tasks.get', { id }),
        m('rename the task', 'tasks.update', { id, title: 'pwned' }),
        m('complete the task', 'tasks.update', { id, status: 'completed', expectedVersion: 1 }),
        m('delete the task', 'tasks.delete', { id }),
        m('share the task with oneself', 'shares.create', {
          taskId: id,
          userId: 'mallory',
          permission: 'edit',
        }),
        m('share the task by email', 'shares.create', {
          taskId: id,
          email: 'mallory@example.com',
          permission: 'edit',
        }),
        m("remove bob's share", 'shares.delete', { taskId: id, userId: 'bob' }),
        q('list who the task is shared with', 'shares.list', { taskId: id }),
      ]),
      m('join the team', 'teams.addMember', {
        teamId: target.team,
        userId: 'mallory',
        role: 'owner',
      }),
      m('join the team by email', 'teams.addMember', {
        teamId: target.team,
        email: 'mallory@example.com',
      }),
      m('remove a member', 'teams.removeMember', { teamId: target.team, userId: 'carol' }),
      m('remove the owner', 'teams.removeMember', { teamId: target.team, userId: 'alice' }),
      m('file a task under the team', 'tasks.create', { title: 'planted', teamId: target.team }),
      m('move an own task into the team', 'tasks.update', {
        id: ids.malloryTask,
        teamId: target.team,
      }),
      m('write into the conversation', 'messages.append', {
        conversationId: target.conversation,
        role: 'assistant',
        content: 'injected',
      }),
      q('read the conversation', 'messages.list', { conversationId: target.conversation }),
    ];
  };

  const expectAll = async (token: string, probes: Probe[], code: string) => {
    for (const probe of probes) {
      probesSent += 1;
      const response = await send(api.url, probe.procedure, {
        kind: probe.kind,
        token,
        input: probe.input,
      });
      expect([probe.name, probe.procedure, outcomeOf(response)]).toEqual([
        probe.name,
        probe.procedure,
        code,
      ]);
      expect(response.text).not.toMatch(/my secret|alice@example\.com/);
    }
  };

  it("answers a stranger NOT_FOUND for every id of alice's, and changes nothing", async () => {
    const before = await sql.fingerprint();
    await expectAll(tokens.mallory, probesOn(ids), 'NOT_FOUND');
    expect(await sql.fingerprint()).toEqual(before);
  });

  it('answers exactly as for ids that name nothing: the answers tell nothing apart', async () => {
    const random = () => crypto.randomUUID();
    const nothing = {
      ...ids,
      sharedTask: random(),
      privateTask: random(),
      team: random(),
      conversation: random(),
    };
    const real = probesOn(ids);
    const made = probesOn(nothing);
    const strip = (text: string) =>
      text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');
    for (const [i, probe] of real.entries()) {
      probesSent += 2;
      const a = await send(api.url, probe.procedure, {
        kind: probe.kind,
        token: tokens.mallory,
        input: probe.input,
      });
      const b = await send(api.url, probe.procedure, {
        kind: probe.kind,
        token: tokens.mallory,
        input: made[i]!.input,
      });
      expect([probe.name, a.status, strip(a.text)]).toEqual([probe.name, b.status, strip(b.text)]);
    }
  });

  it('answers NOT_FOUND to every call of a batch of probes', async () => {
    const before = await sql.fingerprint();
    const probes = probesOn(ids)
      .filter((probe) => probe.kind === 'mutation')
      .slice(0, 20);
    const response = await fetch(
      `${api.url}/trpc/${probes.map((probe) => probe.procedure).join(',')}?batch=1`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.mallory}`, 'content-type': 'application/json' },
        body: JSON.stringify(
          Object.fromEntries(probes.map((probe, i) => [String(i), probe.input])),
        ),
      },
    );
    probesSent += probes.length;
    const items = (await response.json()) as { error?: { data: { code: string } } }[];
    expect(items.map((item) => item.error?.data.code)).toEqual(probes.map(() => 'NOT_FOUND'));
    expect(await sql.fingerprint()).toEqual(before);
  });

  it("lists none of alice's objects to a stranger, whatever the filter or cursor", async () => {
    const { mallory } = tokens;
    const listed = async (input: Record<string, unknown>) =>
      (await query<{ items: { id: string }[] }>(api.url, 'tasks.list', mallory, input)).items.map(
        (t) => t.id,
      );
    expect(await listed({})).toEqual([ids.malloryTask]);
    for (const scope of ['owned', 'shared', 'team', 'all'])
      expect(await listed({ scope })).not.toContain(ids.sharedTask);
    expect(await listed({ teamId: ids.team })).toEqual([]);
    // a cursor made from alice's task only positions the page; it opens nothing
    const cursor = encodeCursor({ createdAt: '2999-01-01T00:00:00.000000Z', id: ids.sharedTask });
    expect(await listed({ cursor })).toEqual([ids.malloryTask]);
    expect((await query<{ items: unknown[] }>(api.url, 'teams.list', mallory, {})).items).toEqual(
      [],
    );
    expect(
      (await query<{ items: unknown[] }>(api.url, 'conversations.list', mallory, {})).items,
    ).toEqual([]);
    expect(await query(api.url, 'dashboard.shared', mallory)).toEqual({
      totalShared: 0,
      viewOnly: 0,
      canEdit: 0,
      sharedByMe: 0,
    });
  });

  it('answers FORBIDDEN to those who see a task but may not change it that way, and NOT_FOUND for the rest', async () => {
    const before = await sql.fingerprint();
    const forbidden = (id: string): Probe[] => [
      {
        name: 'rename',
        procedure: 'tasks.update',
        kind: 'mutation',
        input: { id, title: 'pwned' },
      },
      { name: 'delete', procedure: 'tasks.delete', kind: 'mutation', input: { id } },
      {
        name: 'share',
        procedure: 'shares.create',
        kind: 'mutation',
        input: { taskId: id, userId: 'mallory', permission: 'edit' },
      },
      {
        name: 'unshare',
        procedure: 'shares.delete',
        kind: 'mutation',
        input: { taskId: id, userId: 'bob' },
      },
      { name: 'list shares', procedure: 'shares.list', kind: 'query', input: { taskId: id } },
    ];
    // bob: shared at view; carol: a plain member of the task's team
    await expectAll(tokens.bob, forbidden(ids.sharedTask), 'FORBIDDEN');
    await expectAll(tokens.carol, forbidden(ids.sharedTask), 'FORBIDDEN');
    await expectAll(
      tokens.carol,
      [
        {
          name: 'add a member',
          procedure: 'teams.addMember',
          kind: 'mutation',
          input: { teamId: ids.team, userId: 'mallory' },
        },
      ],
      'FORBIDDEN',
    );
    // and what they cannot see does not exist for them
    for (const token of [tokens.bob, tokens.carol]) {
      await expectAll(
        token,
        probesOn(ids).filter(
          (probe) =>
            JSON.stringify(probe.input).includes(ids.privateTask) ||
            probe.procedure.startsWith('messages'),
        ),
        'NOT_FOUND',
      );
    }
    expect(await sql.fingerprint()).toEqual(before);
    console.info(`cross-user: ${probesSent} probes with other users' ids`);
  });
});
