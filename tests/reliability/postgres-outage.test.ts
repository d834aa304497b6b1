/**
 * PostgreSQL made unreachable in the middle of a load: the API reaches its database through a
 * TCP proxy that the test cuts and restores (the test reads the database directly, around the
 * proxy). Requests must fail fast with SERVICE_UNAVAILABLE instead of hanging, /health/ready
 * must say 503, the process must stay up and recover by itself — and every write that was
 * acknowledged before, during or after must be in the database, none half-applied. A second
 * run has `@taskpulse/client`s retry every failed write with its `Idempotency-Key`: every write
 * then ends up in the database exactly once.
 */
import { createTaskpulseClient, type TaskpulseClient } from '@taskpulse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../packages/core/test/tcp-proxy.ts';
import { postgresAvailable, tokenFor, useApi } from '../harness/api.ts';
import { useSql } from '../harness/database.ts';
import { byLength, eventually, sleep } from '../harness/env.ts';
import { LoadRecorder, runLoad } from '../harness/load.ts';
import { countFigures, servedFigures } from '../harness/oracle.ts';
import { mutate, query, send } from '../harness/wire.ts';

/** The longest any answer may take, outage or not: a bound on hanging, not a speed goal. */
const ANSWER_BOUND_MS = 10_000;

type WriteKind = 'task' | 'team' | 'message' | 'update';
interface Write {
  kind: WriteKind;
  /** A unique title, name or content, to find the write in the database. */
  marker: string;
  /** For updates: the task updated. */
  taskId?: string;
  phase: string;
  acknowledged: boolean;
}

describe.skipIf(!postgresAvailable)(
  'PostgreSQL unreachable in the middle of a load [postgres]',
  () => {
    let proxy: TcpProxy | undefined;
    afterAll(() => proxy?.close());
    const api = useApi({
      // the API reaches its database through a proxy the test controls
      databaseUrl: async (url) => {
        const target = new URL(url);
        proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
        target.port = String(proxy.port);
        return target.toString();
      },
    });
    // the test itself reads the database directly, not through the proxy
    const sql = useSql(() => api.databaseUrl);

    const phases = byLength(
      'postgres outage: seconds before, during and after the outage',
      { before: 2, outage: 3, after: 3 },
      { before: 6, outage: 12, after: 8 },
    );
    const users = ['pg-user-0', 'pg-user-1', 'pg-user-2', 'pg-user-3'];
    const tokens: string[] = [];
    const conversations: string[] = [];
    const workers = 8;
    // one task per worker for updates, so that a worker's updates never race each other
    const updated: string[] = [];

    beforeAll(async () => {
      for (const user of users) {
        const token = await tokenFor(user);
        tokens.push(token);
        conversations.push(
          (await mutate<{ id: string }>(api.url, 'conversations.create', token, {})).id,
        );
      }
      for (let worker = 0; worker < workers; worker += 1) {
        const token = tokens[worker % users.length]!;
        updated.push(
          (
            await mutate<{ id: string }>(api.url, 'tasks.create', token, {
              title: `updated by ${worker}`,
            })
          ).id,
        );
      }
    });

    it('fails fast with 503s, recovers by itself, and loses no acknowledged write', async () => {
      const recorder = new LoadRecorder();
      recorder.phase = 'before';
      const writes: Write[] = [];
      const write = async (
        kind: WriteKind,
        marker: string,
        procedure: string,
        token: string,
        input: unknown,
        taskId?: string,
      ) => {
        const phase = recorder.phase;
        const response = await recorder.record(procedure, () =>
          send(api.url, procedure, {
            kind: 'mutation',
            token,
            input,
            timeoutMs: ANSWER_BOUND_MS * 2,
          }),
        );
        writes.push({
          kind,
          marker,
          phase,
          acknowledged: response?.status === 200,
          ...(taskId ? { taskId } : {}),
        });
      };
      const operation = async (worker: number, index: number) => {
        const user = worker % users.length;
        const token = tokens[user]!;
        const marker = `w${worker}-${index}`;
        switch (index % 10) {
          case 0:
          case 1:
          case 2:
            return write('task', marker, 'tasks.create', token, {
              title: marker,
              status: index % 4 === 0 ? 'completed' : 'pending',
              priority: (['low', 'medium', 'high'] as const)[index % 3],
            });
          case 3:
            return write('team', marker, 'teams.create', token, { name: marker });
          case 4:
          case 5:
            return write('message', marker, 'messages.append', token, {
              conversationId: conversations[user],
              role: 'user',
              content: marker,
            });
          case 6:
            return write(
              'update',
              marker,
              'tasks.update',
              token,
              {
                id: updated[worker],
                title: marker,
                status: index % 20 < 10 ? 'completed' : 'pending',
              },
              updated[worker],
            );
          default: {
            const reads = ['dashboard.statistics', 'tasks.list', 'dashboard.activity'] as const;
            const procedure = reads[index % 3]!;
            await recorder.record(procedure, () =>
              send(api.url, procedure, {
                kind: 'query',
                token,
                input: {},
                timeoutMs: ANSWER_BOUND_MS * 2,
              }),
            );
          }
        }
      };

      const checks: Record<string, unknown> = {};
      const controller = async () => {
        await sleep(phases.before * 1000);
        recorder.phase = 'outage';
        proxy!.cut();
        await sleep(Math.min(1_000, (phases.outage * 1000) / 3));
        const started = performance.now();
        const ready = await fetch(`${api.url}/health/ready`);
        checks.readyDuringOutage = ready.status;
        checks.readyMs = Math.round(performance.now() - started);
        checks.liveDuringOutage = (await fetch(`${api.url}/health/live`)).status;
        checks.healthDuringOutage = (await send(api.url, 'health', { kind: 'query' })).data;
        await sleep(phases.outage * 1000 - Math.min(1_000, (phases.outage * 1000) / 3));
        recorder.phase = 'recovering';
        proxy!.restore();
        const restored = performance.now();
        checks.recovered = await eventually(
          async () => (await fetch(`${api.url}/health/ready`)).status === 200,
          {
            timeoutMs: 20_000,
          },
        );
        checks.recoveryMs = Math.round(performance.now() - restored);
        recorder.phase = 'after';
        await sleep(phases.after * 1000);
      };
      const totalMs = (phases.before + phases.outage + phases.after) * 1000;
      const [operations] = await Promise.all([
        runLoad({
          concurrency: workers,
          durationMs: totalMs + 20_000,
          maxOperations: 1_000_000,
          operation,
          stop: () => recorder.phase === 'done',
        }),
        controller().then(() => {
          recorder.phase = 'done';
        }),
      ]);

      // —— the API during and after the outage ——————————————————————————————————————————
      expect(checks).toMatchObject({
        readyDuringOutage: 503,
        liveDuringOutage: 200,
        healthDuringOutage: { status: 'degraded', database: 'down' },
        recovered: true,
      });
      expect(recorder.failures, 'calls that got no answer at all').toEqual([]);
      expect(recorder.serverErrors(), 'answers other than 503 among the 5xx').toEqual([]);
      expect(recorder.slowest(), 'the slowest answer (ms)').toBeLessThan(ANSWER_BOUND_MS);
      // calls in flight when the connection was cut may fail: judge those answered before it
      expect(recorder.outcomes('before', { whole: true })).toEqual({ ok: expect.any(Number) });
      expect(recorder.outcomes('outage').SERVICE_UNAVAILABLE ?? 0).toBeGreaterThan(0);
      for (const outcome of Object.keys(recorder.outcomes('outage'))) {
        // reads may still be answered from the statistics cache
        expect(['ok', 'SERVICE_UNAVAILABLE']).toContain(outcome);
      }
      expect(recorder.outcomes('after')).toEqual({ ok: expect.any(Number) });

      // —— every acknowledged write is there, whole; no failed write is half there —————————————
      const db = {
        tasks: await sql.query<{ title: string }>('select title from tasks'),
        teams: await sql.query<{ name: string; owners: number; members: number }>(
          `select t.name, count(m.id) filter (where m.role = 'owner' and m.user_id = t.owner_id)::int as owners,
                count(m.id)::int as members
         from teams t left join team_members m on m.team_id = t.id group by t.id`,
        ),
        messages: await sql.query<{ content: string; consistent: boolean }>(
          `select m.content, c.updated_at >= m.created_at as consistent
         from messages m join conversations c on c.id = m.conversation_id`,
        ),
        updates: await sql.query<{
          id: string;
          title: string;
          version: number;
          consistent: boolean;
        }>(
          `select id, title, version, (status = 'completed') = (completed_at is not null) as consistent
         from tasks where id = any($1::uuid[])`,
          [updated],
        ),
      };
      const count = (values: string[]) =>
        values.reduce(
          (map, value) => map.set(value, (map.get(value) ?? 0) + 1),
          new Map<string, number>(),
        );
      const found: Record<WriteKind, Map<string, number>> = {
        task: count(db.tasks.map((row) => row.title)),
        team: count(db.teams.map((row) => row.name)),
        message: count(db.messages.map((row) => row.content)),
        update: new Map(),
      };
      // creates by the phase they were sent in; updates apart, as they add no row
      const creates = new Map<
        string,
        { acknowledged: number; found: number; failed: number; committedAnyway: number }
      >();
      const updates = new Map<string, { acknowledged: number; failed: number }>();
      for (const w of writes) {
        if (w.kind === 'update') {
          const line = updates.get(w.phase) ?? { acknowledged: 0, failed: 0 };
          updates.set(w.phase, line);
          if (w.acknowledged) line.acknowledged += 1;
          else line.failed += 1;
          continue;
        }
        const line = creates.get(w.phase) ?? {
          acknowledged: 0,
          found: 0,
          failed: 0,
          committedAnyway: 0,
        };
        creates.set(w.phase, line);
        const copies = found[w.kind].get(w.marker) ?? 0;
        expect(copies, `${w.kind} ${w.marker} is there more than once`).toBeLessThanOrEqual(1);
        if (w.acknowledged) {
          line.acknowledged += 1;
          line.found += copies;
          expect(copies, `acknowledged ${w.kind} ${w.marker} (${w.phase}) is missing`).toBe(1);
        } else {
          line.failed += 1;
          // the commit reached PostgreSQL but its answer did not come back: whole, or not at all
          line.committedAnyway += copies;
        }
      }
      // a team is written with its owner member in one transaction: never one without the other
      expect(db.teams.filter((team) => team.owners !== 1 || team.members !== 1)).toEqual([]);
      expect(db.messages.filter((message) => !message.consistent)).toEqual([]);
      // updates: the version counts every acknowledged update, and no more than were attempted
      for (const task of db.updates) {
        const attempts = writes.filter((w) => w.taskId === task.id);
        const acknowledged = attempts.filter((w) => w.acknowledged).length;
        expect(task.consistent).toBe(true);
        expect(task.version - 1).toBeGreaterThanOrEqual(acknowledged);
        expect(task.version - 1).toBeLessThanOrEqual(attempts.length);
        const lastAcknowledged = attempts.filter((w) => w.acknowledged).at(-1);
        const afterIt = attempts.slice(attempts.indexOf(lastAcknowledged!) + 1);
        if (lastAcknowledged && afterIt.length === 0)
          expect(task.title).toBe(lastAcknowledged.marker);
      }
      for (const [phase, line] of creates) expect(line.found, phase).toBe(line.acknowledged);

      // —— and the figures, through the cache, equal the database again ———————————————————
      const options = { timeZone: 'UTC', weekStartsOn: 1, days: 7 } as const;
      for (const [i, user] of users.entries()) {
        // a write whose answer was lost invalidated nothing: the cache catches up within its TTL
        const equal = await eventually(
          async () =>
            JSON.stringify(await servedFigures(api.url, tokens[i]!, options)) ===
            JSON.stringify(await countFigures(sql, user, options)),
          { timeoutMs: 15_000, everyMs: 500 },
        );
        if (!equal)
          expect(await servedFigures(api.url, tokens[i]!, options)).toEqual(
            await countFigures(sql, user, options),
          );
      }
      expect((await query<{ id: string }>(api.url, 'me', tokens[0]!)).id).toBe(users[0]);

      const describe = <T extends object>(map: Map<string, T>) =>
        [...map].map(([phase, line]) => `${phase} ${JSON.stringify(line)}`).join(', ');
      console.info(
        [
          `postgres outage: ${operations} operations over ${JSON.stringify(phases)} s`,
          `outcomes by phase: ${JSON.stringify({
            before: recorder.outcomes('before'),
            outage: recorder.outcomes('outage'),
            recovering: recorder.outcomes('recovering'),
            after: recorder.outcomes('after'),
          })}`,
          `slowest answer during the outage ${Math.round(recorder.slowest('outage'))} ms (overall ${Math.round(recorder.slowest())} ms); /health/ready said 503 in ${checks.readyMs} ms and 200 again ${checks.recoveryMs} ms after the restore`,
          `creates of tasks, teams and messages by phase (committedAnyway: failed, yet committed whole before the answer was lost): ${describe(creates)}`,
          `updates by phase: ${describe(updates)}`,
        ].join('\n  '),
      );
    }, 120_000);

    it('with clients that retry every failed write with its Idempotency-Key: 0 duplicates, 0 lost writes', async () => {
      const recorder = new LoadRecorder();
      recorder.phase = 'before';
      // attempts per key, as the server saw them sent (a custom fetch counts the header's keys)
      const attempts = new Map<string, number>();
      const countingFetch: typeof fetch = (input, init) => {
        const header = new Headers(init?.headers).get('idempotency-key');
        for (const key of header?.split(',') ?? []) {
          attempts.set(key.trim(), (attempts.get(key.trim()) ?? 0) + 1);
        }
        return fetch(input, init);
      };
      const clients: TaskpulseClient[] = tokens.map((token) =>
        createTaskpulseClient({
          url: api.url,
          token,
          fetch: countingFetch,
          // bounded, and long enough to outlast the outage
          retry: { attempts: 60, baseDelayMs: 100, maxDelayMs: 1_000 },
        }),
      );
      // one fresh task per worker for updates, so that a worker's updates never race each other
      const retried: string[] = [];
      for (let worker = 0; worker < workers; worker += 1) {
        retried.push(
          (
            await clients[worker % users.length]!.tasks.create.mutate({
              title: `retried by ${worker}`,
            })
          ).id,
        );
      }
      interface KeyedWrite {
        kind: WriteKind;
        marker: string;
        key: string;
        taskId?: string;
        phase: string;
        outcome: 'acknowledged' | 'failed';
      }
      const writes: KeyedWrite[] = [];
      // writes still retrying: a worker goes on after at most PACE_MS, so that writes keep
      // being sent while earlier ones retry through the outage
      const pending: Promise<void>[] = [];
      const PACE_MS = 200;
      const operation = async (worker: number, index: number) => {
        const user = worker % users.length;
        const client = clients[user]!;
        const marker = `rk${worker}-${index}`;
        const key = `key-${marker}`;
        const context = { context: { idempotencyKey: key } };
        const phase = recorder.phase;
        const run = async (kind: WriteKind, write: () => Promise<unknown>, taskId?: string) => {
          const done = write()
            .then(
              () => 'acknowledged' as const,
              () => 'failed' as const,
            )
            .then((outcome) => {
              writes.push({ kind, marker, key, phase, outcome, ...(taskId ? { taskId } : {}) });
            });
          pending.push(done);
          await Promise.race([done, sleep(PACE_MS)]);
        };
        switch (index % 10) {
          case 0:
          case 1:
          case 2:
            return run('task', () =>
              client.tasks.create.mutate(
                { title: marker, priority: (['low', 'medium', 'high'] as const)[index % 3] },
                context,
              ),
            );
          case 3:
            return run('team', () => client.teams.create.mutate({ name: marker }, context));
          case 4:
          case 5:
            return run('message', () =>
              client.messages.append.mutate(
                { conversationId: conversations[user]!, role: 'user', content: marker },
                context,
              ),
            );
          case 6:
            return run(
              'update',
              () =>
                client.tasks.update.mutate(
                  {
                    id: retried[worker]!,
                    title: marker,
                    status: index % 20 < 10 ? 'completed' : 'pending',
                  },
                  context,
                ),
              retried[worker],
            );
          default: {
            // reads are retried by the client too
            const read = client.tasks.list.query({ limit: 5 }).then(
              () => undefined,
              () => undefined,
            );
            pending.push(read);
            await Promise.race([read, sleep(PACE_MS)]);
          }
        }
      };
      const controller = async () => {
        await sleep(phases.before * 1000);
        recorder.phase = 'outage';
        proxy!.cut();
        await sleep(phases.outage * 1000);
        recorder.phase = 'recovering';
        proxy!.restore();
        await eventually(async () => (await fetch(`${api.url}/health/ready`)).status === 200, {
          timeoutMs: 20_000,
        });
        recorder.phase = 'after';
        await sleep(phases.after * 1000);
      };
      const totalMs = (phases.before + phases.outage + phases.after) * 1000;
      const [operations] = await Promise.all([
        runLoad({
          concurrency: workers,
          durationMs: totalMs + 40_000,
          maxOperations: 1_000_000,
          operation,
          stop: () => recorder.phase === 'done',
        }),
        controller().then(() => {
          recorder.phase = 'done';
        }),
      ]);
      await Promise.all(pending);

      const rows = {
        // the updated tasks carry the marker of their last update: not creates
        task: await sql.query<{ marker: string }>(
          `select title as marker from tasks where title like 'rk%' and id <> all($1::uuid[])`,
          [retried],
        ),
        team: await sql.query<{ marker: string }>(
          `select name as marker from teams where name like 'rk%'`,
        ),
        message: await sql.query<{ marker: string }>(
          `select content as marker from messages where content like 'rk%'`,
        ),
      };
      const copies = new Map<string, number>();
      for (const row of [...rows.task, ...rows.team, ...rows.message] as { marker: string }[]) {
        copies.set(row.marker, (copies.get(row.marker) ?? 0) + 1);
      }
      const creates = writes.filter((w) => w.kind !== 'update');
      const acknowledged = creates.filter((w) => w.outcome === 'acknowledged');
      const duplicates = creates.filter((w) => (copies.get(w.marker) ?? 0) > 1);
      const lost = acknowledged.filter((w) => (copies.get(w.marker) ?? 0) === 0);
      const failed = writes.filter((w) => w.outcome === 'failed');
      const retriedWrites = writes.filter((w) => (attempts.get(w.key) ?? 0) > 1);
      const sentDuringOutage = writes.filter((w) => w.phase === 'outage');
      // updates: each acknowledged update counted exactly once in its task's version
      const versions = await sql.query<{ id: string; version: number; title: string }>(
        'select id, version, title from tasks where id = any($1::uuid[])',
        [retried],
      );
      const updateCounts = versions.map((task) => ({
        task: task.id,
        version: task.version,
        acknowledged: writes.filter((w) => w.taskId === task.id && w.outcome === 'acknowledged')
          .length,
      }));
      const counts = {
        operations,
        writes: writes.length,
        acknowledged: writes.length - failed.length,
        createsAcknowledged: acknowledged.length,
        updatesAcknowledged: writes.filter(
          (w) => w.kind === 'update' && w.outcome === 'acknowledged',
        ).length,
        sentDuringOutage: sentDuringOutage.length,
        retried: retriedWrites.length,
        retriedByPhase: Object.fromEntries(
          ['before', 'outage', 'recovering', 'after'].map((phase) => [
            phase,
            retriedWrites.filter((w) => w.phase === phase).length,
          ]),
        ),
        attempts: [...attempts.values()].reduce((sum, n) => sum + n, 0),
        failedForGood: failed.length,
        duplicates: duplicates.length,
        lost: lost.length,
        updatesCountedTwice: updateCounts.filter((u) => u.version - 1 > u.acknowledged).length,
      };
      console.info(
        `postgres outage, clients retrying with Idempotency-Key: ${JSON.stringify(counts)}`,
      );
      expect(counts.sentDuringOutage, 'writes sent during the outage').toBeGreaterThan(0);
      expect(counts.retried, 'writes that needed a retry').toBeGreaterThan(0);
      expect(
        failed.map((w) => `${w.kind} ${w.marker} (${w.phase})`),
        'writes that failed for good',
      ).toEqual([]);
      expect(
        duplicates.map((w) => `${w.kind} ${w.marker}`),
        'writes carried out twice',
      ).toEqual([]);
      expect(
        lost.map((w) => `${w.kind} ${w.marker}`),
        'acknowledged writes missing',
      ).toEqual([]);
      expect(updateCounts.filter((u) => u.version - 1 !== u.acknowledged)).toEqual([]);
      // every write made, no other: the rows are exactly the writes
      const written = new Set(creates.map((w) => w.marker));
      expect([...copies.keys()].filter((marker) => !written.has(marker))).toEqual([]);
      expect(copies.size).toBe(creates.length);
    }, 180_000);
  },
);
