/**
 * A mixed read/write load over real HTTP — several users, bounded concurrency, 60 seconds under
 * TASKPULSE_LONG_TESTS=1 — with no 5xx; after it, every figure of every user, read through the
 * API and its cache, equals a plain SQL count written in this test, and the lists behind the
 * numbers hold as many tasks as the numbers say.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, tokenFor, useApi } from '../harness/api.ts';
import { useSql } from '../harness/database.ts';
import { byLength } from '../harness/env.ts';
import { LoadRecorder, runLoad } from '../harness/load.ts';
import { countFigures, servedFigures } from '../harness/oracle.ts';
import { mutate, query, send } from '../harness/wire.ts';

const USERS = 8;
const WORKERS = 16;
const DAY = 86_400_000;

describe.skipIf(!postgresAvailable)('a mixed load over HTTP [postgres]', () => {
  const api = useApi({ logLevel: 'warn' });
  const sql = useSql(() => api.databaseUrl);
  const seconds = byLength('load: seconds of mixed load', 8, 60);
  const users = Array.from({ length: USERS }, (_, i) => `load-user-${i}`);
  const tokens: string[] = [];
  const teams: string[] = [];
  const conversations: string[] = [];
  /** Tasks each user created and has not deleted, as far as the workers know. */
  const tasks: string[][] = users.map(() => []);
  const figureOptions = { timeZone: 'Europe/Berlin', weekStartsOn: 1, days: 7 } as const;

  beforeAll(async () => {
    for (const user of users) {
      const token = await tokenFor(user);
      tokens.push(token);
      teams.push(
        (await mutate<{ id: string }>(api.url, 'teams.create', token, { name: `${user}'s team` }))
          .id,
      );
      conversations.push(
        (await mutate<{ id: string }>(api.url, 'conversations.create', token, {})).id,
      );
    }
  });

  it(`keeps every figure equal to SQL after ${seconds} s of mixed load, with no 5xx`, async () => {
    const recorder = new LoadRecorder();
    recorder.phase = 'load';
    // a seeded generator per worker, so that a failing run can be replayed
    const randoms = Array.from({ length: WORKERS }, (_, worker) => {
      let state = worker * 7919 + 17;
      return () => {
        state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
        return state / 2_147_483_648;
      };
    });
    const operation = async (worker: number, index: number) => {
      const random = randoms[worker]!;
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const user = Math.floor(random() * USERS);
      const token = tokens[user]!;
      const own = tasks[user]!;
      const call = (procedure: string, kind: 'query' | 'mutation', input: unknown) =>
        recorder.record(procedure, () =>
          send(api.url, procedure, { kind, token, input, timeoutMs: 30_000 }),
        );
      const dueAt = () =>
        pick([
          null,
          new Date(Date.now() - 2 * DAY).toISOString(),
          new Date(Date.now() + 2 * DAY).toISOString(),
        ]);
      const roll = random();
      if (roll < 0.2 || own.length === 0) {
        const response = await call('tasks.create', 'mutation', {
          title: `task ${worker}-${index}`,
          status: pick(['pending', 'completed']),
          priority: pick(['low', 'medium', 'high']),
          dueAt: dueAt(),
          ...(random() < 0.3 ? { teamId: teams[user] } : {}),
        });
        if (response?.status === 200) own.push((response.data as { id: string }).id);
      } else if (roll < 0.35) {
        await call('tasks.update', 'mutation', {
          id: pick(own),
          ...pick([
            { status: 'completed' },
            { status: 'pending' },
            { priority: pick(['low', 'medium', 'high']) },
            { dueAt: dueAt() },
          ]),
        });
      } else if (roll < 0.4) {
        const id = own.splice(Math.floor(random() * own.length), 1)[0]!;
        await call('tasks.delete', 'mutation', { id });
      } else if (roll < 0.48) {
        await call('shares.create', 'mutation', {
          taskId: pick(own),
          userId: pick(users.filter((_, i) => i !== user)),
          permission: pick(['view', 'edit']),
        });
      } else if (roll < 0.52) {
        await call('shares.delete', 'mutation', {
          taskId: pick(own),
          userId: pick(users.filter((_, i) => i !== user)),
        });
      } else if (roll < 0.56) {
        await call('messages.append', 'mutation', {
          conversationId: conversations[user],
          role: pick(['user', 'assistant']),
          content: `message ${index}`,
        });
      } else {
        const [procedure, input] = pick([
          ['dashboard.statistics', {}],
          ['dashboard.breakdown', {}],
          ['dashboard.shared', {}],
          ['dashboard.activity', { timeZone: figureOptions.timeZone, weekStartsOn: 1 }],
          ['dashboard.trend', { days: 7, timeZone: figureOptions.timeZone }],
          ['tasks.list', { scope: 'all', limit: 20 }],
          ['tasks.list', { overdue: true, scope: 'owned' }],
          ['tasks.list', { scope: 'shared', permission: 'edit' }],
          ['tasks.get', { id: pick(own) }],
          ['messages.list', { conversationId: conversations[user] }],
        ] as const);
        await call(procedure, 'query', input);
      }
    };

    const started = performance.now();
    const operations = await runLoad({
      concurrency: WORKERS,
      durationMs: seconds * 1000,
      maxOperations: 500 * seconds * WORKERS,
      operation,
    });
    const elapsed = (performance.now() - started) / 1000;

    expect(recorder.failures).toEqual([]);
    expect(recorder.calls.filter((call) => call.status >= 500)).toEqual([]);
    // another worker may have deleted the task, or unshared it first
    const outcomes = recorder.outcomes();
    for (const outcome of Object.keys(outcomes)) expect(['ok', 'NOT_FOUND']).toContain(outcome);
    const byId = ['tasks.get', 'tasks.update', 'tasks.delete', 'shares.create', 'shares.delete'];
    expect(
      recorder.calls.filter((c) => c.outcome === 'NOT_FOUND' && !byId.includes(c.procedure)),
    ).toEqual([]);

    // every figure of every user, through the cache, equals plain SQL
    for (const [i, user] of users.entries()) {
      expect([user, await servedFigures(api.url, tokens[i]!, figureOptions)]).toEqual([
        user,
        await countFigures(sql, user, figureOptions),
      ]);
    }
    // and the lists behind the numbers hold as many tasks as the numbers say
    const count = async (token: string, filter: Record<string, unknown>) => {
      let total = 0;
      let cursor: string | null = null;
      do {
        const page: { items: unknown[]; nextCursor: string | null } = await query(
          api.url,
          'tasks.list',
          token,
          {
            ...filter,
            limit: 100,
            ...(cursor ? { cursor } : {}),
          },
        );
        total += page.items.length;
        cursor = page.nextCursor;
      } while (cursor);
      return total;
    };
    for (const token of tokens.slice(0, 3)) {
      const statistics = await query<{ pending: number; overdue: number; shared: number }>(
        api.url,
        'dashboard.statistics',
        token,
      );
      expect({
        pending: await count(token, { scope: 'owned', status: 'pending' }),
        overdue: await count(token, { scope: 'owned', overdue: true }),
        shared: await count(token, { scope: 'shared' }),
      }).toEqual({
        pending: statistics.pending,
        overdue: statistics.overdue,
        shared: statistics.shared,
      });
    }
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).not.toMatch(/outcome="INTERNAL_SERVER_ERROR"/);

    const latencies = recorder.calls.map((call) => call.ms).sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
    const [rows] = await sql.query<Record<string, string>>(
      `select (select count(*) from tasks) as tasks, (select count(*) from task_shares) as shares,
              (select count(*) from messages) as messages`,
    );
    console.info(
      `load: ${operations} operations by ${WORKERS} workers for ${USERS} users in ${elapsed.toFixed(1)} s (${Math.round(recorder.calls.length / elapsed)} calls/s); outcomes ${JSON.stringify(outcomes)}; latency p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms; the database holds ${JSON.stringify(rows)}; every figure of ${USERS} users equals SQL`,
    );
  }, 180_000);
});
