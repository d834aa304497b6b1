/**
 * Writes that were committed but whose answer never reached the client — the case behind
 * `committedAnyway` in the outage test, made certain here: a client `fetch` lets the request
 * reach the server, waits for its answer, and throws it away as a dropped connection would.
 * `@taskpulse/client` retries with the same `Idempotency-Key`, and every write is made once.
 */
import { createTaskpulseClient } from '@taskpulse/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, tokenFor, useApi } from '../harness/api.ts';
import { useSql } from '../harness/database.ts';

describe.skipIf(!postgresAvailable)('answers lost after the commit [postgres]', () => {
  const api = useApi();
  const sql = useSql(() => api.databaseUrl);
  let token: string;
  beforeAll(async () => {
    token = await tokenFor('lost-answers');
  });

  it('a client retrying with its Idempotency-Key makes each write once, and gets the first answer', async () => {
    // the keys seen, and how many attempts each took; the first attempt's answer is dropped
    const attempts = new Map<string, number>();
    const dropping: typeof fetch = async (input, init) => {
      const keys = new Headers(init?.headers).get('idempotency-key');
      const response = await fetch(input, init);
      if (keys === null) return response;
      const first = keys.split(',').some((key) => !attempts.has(key.trim()));
      for (const key of keys.split(',')) {
        attempts.set(key.trim(), (attempts.get(key.trim()) ?? 0) + 1);
      }
      if (first) {
        await response.text(); // the server answered: the write is committed
        throw new TypeError('fetch failed (the answer was lost)');
      }
      return response;
    };
    const client = createTaskpulseClient({
      url: api.url,
      token,
      fetch: dropping,
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
    });
    await client.me.query();

    const created = [];
    for (let i = 0; i < 10; i++)
      created.push(await client.tasks.create.mutate({ title: `lost-${i}` }));
    const task = created[0]!;
    let updated = task;
    for (let i = 0; i < 5; i++) {
      updated = await client.tasks.update.mutate({ id: task.id, title: `renamed-${i}` });
    }
    const team = await client.teams.create.mutate({ name: 'lost-team' });
    const conversation = await client.conversations.create.mutate({ title: 'lost' });
    await client.messages.append.mutate({
      conversationId: conversation.id,
      role: 'user',
      content: 'once',
    });
    // a batch of two mutations, both answers lost at once
    const [a, b] = await Promise.all([
      client.tasks.create.mutate({ title: 'batched-a' }),
      client.tasks.create.mutate({ title: 'batched-b' }),
    ]);

    const [counts] = await sql.query<{
      tasks: number;
      teams: number;
      members: number;
      messages: number;
      version: number;
    }>(
      `select (select count(*)::int from tasks where user_id = 'lost-answers') as tasks,
              (select count(*)::int from teams where owner_id = 'lost-answers') as teams,
              (select count(*)::int from team_members where user_id = 'lost-answers') as members,
              (select count(*)::int from messages where user_id = 'lost-answers') as messages,
              (select version from tasks where id = $1) as version`,
      [task.id],
    );
    const writes = attempts.size;
    const retried = [...attempts.values()].filter((n) => n > 1).length;
    console.info(
      `answers lost after the commit: ${writes} writes, each answer dropped once and retried (${retried} retried); rows: ${JSON.stringify(counts)}`,
    );
    expect(writes).toBe(10 + 5 + 1 + 1 + 1 + 2);
    expect(retried).toBe(writes);
    expect(counts).toEqual({ tasks: 12, teams: 1, members: 1, messages: 1, version: 6 });
    expect(updated.version).toBe(6);
    expect(team.name).toBe('lost-team');
    expect([a.title, b.title]).toEqual(['batched-a', 'batched-b']);
    expect(new Set(created.map((t) => t.id)).size).toBe(10);
  });
});
