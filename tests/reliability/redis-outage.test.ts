/**
 * Redis made unreachable under load: the API keeps its statistics cache and its rate-limit
 * counters in Redis, reached through a TCP proxy that the test cuts and restores. Statistics
 * must still be served, exact (fail-open: computed from the database), within a bound; rate
 * limits must hold as documented (each instance counts in memory with the same budget while
 * Redis is away); and both must go back to Redis by themselves once it returns.
 */
import { createTaskpulseServer, type TaskpulseServer } from '@taskpulse/trpc-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRedis, testRedisClient } from '../../packages/core/test/redis.ts';
import { startTcpProxy, type TcpProxy } from '../../packages/core/test/tcp-proxy.ts';
import { TEST_SECRET } from '../../packages/trpc-server/test/tokens.ts';
import { postgresAvailable, ROOMY_RATE_LIMIT, tokenFor, useApi } from '../harness/api.ts';
import { useSql } from '../harness/database.ts';
import { byLength, eventually, sleep } from '../harness/env.ts';
import { LoadRecorder, runLoad } from '../harness/load.ts';
import { countFigures, servedFigures } from '../harness/oracle.ts';
import { mutate, send } from '../harness/wire.ts';

/** The longest any answer may take while Redis is away: a bound on hanging. */
const ANSWER_BOUND_MS = 5_000;
/** The per-user budget of the instance that checks the limits. */
const BUDGET = 5;

describe.skipIf(!postgresAvailable)('Redis unreachable under load [postgres]', () => {
  describeRedis('statistics cache and rate limits', (redis) => {
    let proxy: TcpProxy;
    const proxied = () => `redis://127.0.0.1:${proxy.port}`;
    beforeAll(async () => {
      proxy = await startTcpProxy({ host: redis.host, port: redis.port });
    });
    afterAll(() => proxy?.close());

    const statsPrefix = `${redis.keyPrefix}stats:`;
    const limitPrefix = `${redis.keyPrefix}limits`;
    // instance A serves the load: cache and (roomy) rate limits in Redis
    const api = useApi({
      logLevel: 'warn',
      taskpulse: () => ({ cache: { redis: { url: proxied(), keyPrefix: statsPrefix } } }),
      rateLimit: () => ({ ...ROOMY_RATE_LIMIT, redis: { url: proxied() }, keyPrefix: limitPrefix }),
    });
    const sql = useSql(() => api.databaseUrl);
    // instance B, on the same taskpulse, has a small budget: it shows what the limits do
    let limited: TaskpulseServer;
    let limitedUrl: string;
    beforeAll(async () => {
      limited = createTaskpulseServer({
        taskpulse: api.tp,
        auth: { secret: TEST_SECRET },
        logger: api.logs.logger,
        production: true,
        rateLimit: {
          ip: false,
          user: { points: BUDGET, durationSeconds: 60 },
          redis: { url: proxied() },
          keyPrefix: limitPrefix,
        },
      });
      ({ url: limitedUrl } = await limited.listen(0, '127.0.0.1'));
    });
    afterAll(() => limited?.close());

    const phases = byLength(
      'redis outage: seconds before, during and after the outage',
      { before: 2, outage: 3, after: 3 },
      { before: 4, outage: 10, after: 6 },
    );
    const users = Array.from({ length: 6 }, (_, i) => `redis-user-${i}`);
    const tokens: string[] = [];
    const taskIds: string[][] = [];
    const figureOptions = { timeZone: 'Europe/Berlin', weekStartsOn: 1, days: 7 } as const;

    beforeAll(async () => {
      for (const user of users) tokens.push(await tokenFor(user));
      for (const token of tokens) {
        const ids: string[] = [];
        for (let i = 0; i < 3; i += 1) {
          ids.push(
            (await mutate<{ id: string }>(api.url, 'tasks.create', token, { title: `seed ${i}` }))
              .id,
          );
        }
        taskIds.push(ids);
      }
    });

    /** Spends the budget of a fresh user on instance B: the calls answered before the first 429. */
    async function spendBudget(user: string) {
      const token = await tokenFor(user);
      const statuses: number[] = [];
      for (let i = 0; i < BUDGET + 2; i += 1) {
        statuses.push(
          (await send(limitedUrl, 'me', { kind: 'query', token, timeoutMs: ANSWER_BOUND_MS }))
            .status,
        );
      }
      return statuses;
    }
    /** What spending the budget answers: BUDGET calls, then 429s. */
    const WITHIN_BUDGET = [...Array<number>(BUDGET).fill(200), 429, 429];

    it('serves exact statistics, limits calls in memory while Redis is away, and goes back to Redis by itself', async () => {
      const direct = testRedisClient();
      await direct.connect();
      const keys = async (prefix: string) => (await direct.keys(`${prefix}*`)).length;
      try {
        const recorder = new LoadRecorder();
        recorder.phase = 'before';
        const operation = async (worker: number, index: number) => {
          const user = worker % users.length;
          const token = tokens[user]!;
          const task = taskIds[user]![index % 3]!;
          const call = async (procedure: string, kind: 'query' | 'mutation', input: unknown) => {
            await recorder.record(procedure, () =>
              send(api.url, procedure, { kind, token, input, timeoutMs: ANSWER_BOUND_MS * 2 }),
            );
          };
          switch (index % 8) {
            case 0:
              return call('tasks.create', 'mutation', {
                title: `w${worker}-${index}`,
                priority: 'high',
              });
            case 1:
              return call('tasks.update', 'mutation', {
                id: task,
                status: index % 16 < 8 ? 'completed' : 'pending',
              });
            case 2:
              return call('dashboard.activity', 'query', {
                timeZone: figureOptions.timeZone,
                weekStartsOn: 1,
              });
            case 3:
              return call('dashboard.trend', 'query', {
                days: 7,
                timeZone: figureOptions.timeZone,
              });
            case 4:
              return call('dashboard.breakdown', 'query', {});
            case 5:
              return call('dashboard.shared', 'query', {});
            default:
              return call('dashboard.statistics', 'query', {});
          }
        };

        const checks: Record<string, unknown> = {};
        const controller = async () => {
          await sleep(phases.before * 1000);
          checks.before = {
            cache: api.tp.cache?.stats().redis,
            cachedInRedis: (await keys(statsPrefix)) > 0,
            limits: await spendBudget('budget-before'),
            countedInRedis: await direct.get(`${limitPrefix}:user:budget-before`),
          };
          recorder.phase = 'outage';
          proxy.cut();
          await sleep(Math.min(1_000, (phases.outage * 1000) / 3));
          // a user outside the load writes, then reads: the figures follow the write at once
          const quiet = await tokenFor('quiet-user');
          await servedFigures(api.url, quiet, figureOptions);
          await mutate(api.url, 'tasks.create', quiet, { title: 'written while Redis is away' });
          checks.outage = {
            exact:
              JSON.stringify(await servedFigures(api.url, quiet, figureOptions)) ===
              JSON.stringify(await countFigures(sql, 'quiet-user', figureOptions)),
            cache: api.tp.cache?.stats().redis,
            limits: await spendBudget('budget-outage'),
            countedInRedis: await direct.get(`${limitPrefix}:user:budget-outage`),
          };
          await sleep(phases.outage * 1000 - Math.min(1_000, (phases.outage * 1000) / 3));
          recorder.phase = 'recovering';
          proxy.restore();
          const restored = performance.now();
          checks.cacheBack = await eventually(async () => api.tp.cache?.stats().redis === 'up', {
            timeoutMs: 15_000,
          });
          checks.recoveryMs = Math.round(performance.now() - restored);
          // the limiter's client reconnects in the background; memory counts until it has
          let afterUser = 0;
          checks.limitsBack = await eventually(
            async () => {
              afterUser += 1;
              await send(limitedUrl, 'me', {
                kind: 'query',
                token: await tokenFor(`budget-after-${afterUser}`),
              });
              return (await direct.get(`${limitPrefix}:user:budget-after-${afterUser}`)) === '1';
            },
            { timeoutMs: 15_000, everyMs: 200 },
          );
          recorder.phase = 'after';
          await sleep(phases.after * 1000);
          checks.after = { limits: await spendBudget('budget-back') };
        };
        const [operations] = await Promise.all([
          runLoad({
            concurrency: 6,
            durationMs: (phases.before + phases.outage + phases.after) * 1000 + 40_000,
            maxOperations: 1_000_000,
            operation,
            stop: () => recorder.phase === 'done',
          }),
          controller().then(() => {
            recorder.phase = 'done';
          }),
        ]);

        expect(checks).toMatchObject({
          before: {
            cache: 'up',
            cachedInRedis: true,
            limits: WITHIN_BUDGET,
            countedInRedis: String(BUDGET + 2),
          },
          // counted in memory, with the same budget: nothing reaches Redis
          outage: { exact: true, cache: 'down', limits: WITHIN_BUDGET, countedInRedis: null },
          cacheBack: true,
          limitsBack: true,
          after: { limits: WITHIN_BUDGET },
        });
        expect(recorder.failures).toEqual([]);
        // every call was answered, and answered well: fail-open, no 5xx, no limit met
        for (const phase of ['before', 'outage', 'recovering', 'after']) {
          const other = Object.keys(recorder.outcomes(phase)).filter((outcome) => outcome !== 'ok');
          expect([phase, other]).toEqual([phase, []]);
        }
        expect(recorder.outcomes('outage').ok ?? 0).toBeGreaterThan(0);
        // the calls in flight at the cut (sent 'before') are bounded too
        expect(recorder.slowest(), 'the slowest answer (ms)').toBeLessThan(ANSWER_BOUND_MS);

        // the figures through the cache equal plain SQL, once Redis is back
        for (const [i, user] of users.entries()) {
          const equal = await eventually(
            async () =>
              JSON.stringify(await servedFigures(api.url, tokens[i]!, figureOptions)) ===
              JSON.stringify(await countFigures(sql, user, figureOptions)),
            { timeoutMs: 10_000, everyMs: 250 },
          );
          if (!equal) {
            expect(await servedFigures(api.url, tokens[i]!, figureOptions)).toEqual(
              await countFigures(sql, user, figureOptions),
            );
          }
        }
        const stats = api.tp.cache?.stats();
        console.info(
          [
            `redis outage: ${operations} operations over ${JSON.stringify(phases)} s`,
            `outcomes by phase: ${JSON.stringify({
              before: recorder.outcomes('before'),
              outage: recorder.outcomes('outage'),
              recovering: recorder.outcomes('recovering'),
              after: recorder.outcomes('after'),
            })}`,
            `slowest answer: ${Math.round(recorder.slowest('before'))} ms for a call in flight at the cut, ${Math.round(recorder.slowest('outage'))} ms during the outage; cache back on Redis ${checks.recoveryMs} ms after the restore`,
            `rate limit (budget ${BUDGET}): ${JSON.stringify({ before: checks.before, outage: checks.outage, after: checks.after })}`,
            `cache counters: ${JSON.stringify(stats)}`,
          ].join('\n  '),
        );
      } finally {
        direct.disconnect();
      }
    }, 120_000);
  });
});
