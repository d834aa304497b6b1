/**
 * Part 2 of the bench: cached reads through core, 1,000 concurrent identical cache misses,
 * and the tRPC API over HTTP (autocannon against a server in a child process): a no-op
 * query as the framework's ceiling, cached and uncached `dashboard.statistics`, a mixed
 * read/write load, and the server's memory before and after a long load.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createTaskpulse, type Taskpulse } from '@taskpulse/core';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';
import type { BenchConfig } from './config.ts';
import type { BenchMessage, ServerMessage } from './http-server.ts';
import { type Latency, measure } from './measure.ts';

/** One autocannon run. Latencies in milliseconds. */
export interface HttpRun {
  scenario: string;
  round: number;
  connections: number;
  seconds: number;
  requestsPerSecond: number;
  total: number;
  p50: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Responses per status code. */
  statusCodes: Record<string, number>;
}

/** The server's memory (after a full GC) and its statistics cache. */
export interface ServerMemory {
  at: string;
  heapUsed: number;
  heapTotal: number;
  rss: number;
  cacheSize: number | null;
  cacheEvictions: number | null;
}

/** What part 2 measured. */
export interface ApiResults {
  /** `tp.dashboard.statistics(ctx)` answered from the cache, a new context per call. */
  cachedCore: Latency;
  /** The same with one context reused (the cache lookup alone). */
  cachedCoreSameContext: Latency;
  /** Identical concurrent calls on an empty cache. */
  misses: {
    concurrent: number;
    queries: number;
    computes: number;
    coalesced: number;
    misses: number;
  };
  http: HttpRun[];
  /** Readings before and after each third of the long load, and the load itself. */
  memory: { loadSeconds: number; cacheMax: number; samples: ServerMemory[]; load: HttpRun | null };
}

/** How part 2 reports progress. */
export interface ApiReporter {
  log(message: string): void;
  step(step: { key: string; round: number; done: number; total: number }): void;
}

const SERVER = fileURLToPath(new URL('./http-server.ts', import.meta.url));
const MIXED_TITLE = 'bench mixed load';

/** A running API server (child process). */
interface ServerHandle {
  url: string;
  memory(at: string): Promise<ServerMemory>;
  close(): Promise<void>;
}

export async function startServer(
  config: BenchConfig,
  secret: string,
  cache: 'on' | 'off',
  context: 'lazy' | 'eager' = 'lazy',
): Promise<ServerHandle> {
  const child = fork(SERVER, [], {
    execArgv: [
      '--conditions=@taskpulse/source',
      '--expose-gc',
      // a CPU profile of the server, to see where a request's time goes
      ...(process.env.BENCH_SERVER_PROFILE_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SERVER_PROFILE_DIR}`]
        : []),
    ],
    env: {
      ...process.env,
      BENCH_DATABASE_URL: config.databaseUrl,
      BENCH_JWT_SECRET: secret,
      BENCH_CACHE: cache,
      BENCH_CONTEXT: context,
      BENCH_CACHE_MAX: String(config.cacheMax),
      TASKPULSE_LOG_LEVEL: 'error',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends ServerMessage['type']>(type: T) =>
    new Promise<Extract<ServerMessage, { type: T }>>((resolve, reject) => {
      const onMessage = (message: ServerMessage) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as Extract<ServerMessage, { type: T }>);
      };
      const onExit = (code: number | null) => reject(new Error(`the API server exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const { url } = await next('listening');
  const send = (message: BenchMessage) => child.send(message);
  return {
    url,
    memory: async (at) => {
      const reply = next('memory');
      send({ type: 'memory' });
      const m = await reply;
      return {
        at,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        rss: m.rss,
        cacheSize: m.cache?.size ?? null,
        cacheEvictions: m.cache?.evictions ?? null,
      };
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A signed HS256 token for each user id. */
export async function tokens(secret: string, ids: string[]): Promise<string[]> {
  const key = new TextEncoder().encode(secret);
  return Promise.all(
    ids.map((id) =>
      new SignJWT({ name: `Bench ${id}` })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(id)
        .setIssuedAt()
        .setExpirationTime('4h')
        .sign(key),
    ),
  );
}

export type CannonOptions = Parameters<typeof autocannon>[0];

export async function cannon(
  scenario: string,
  round: number,
  options: CannonOptions,
): Promise<HttpRun> {
  const result = await autocannon(options);
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    if (Number(count)) statusCodes[code] = Number(count);
  }
  return {
    scenario,
    round,
    connections: result.connections,
    seconds: result.duration,
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
  };
}

const json = { 'content-type': 'application/json' };

/**
 * The mixed load: each sequence is one user's visit — reads of the dashboard between
 * creating, completing and deleting a task (5 reads, 3 writes) — users taken in turn.
 */
function mixedRequests(userTokens: string[]): NonNullable<CannonOptions['requests']> {
  let next = 0;
  const auth = (context: Record<string, unknown>) => ({
    ...json,
    authorization: `Bearer ${context.token as string}`,
  });
  const get = (path: string, first = false) => ({
    method: 'GET' as const,
    setupRequest: (request: autocannon.Request, context: Record<string, unknown>) => {
      if (first) context.token = userTokens[next++ % userTokens.length];
      return { ...request, path, headers: auth(context) };
    },
  });
  const post = (path: string, body: (context: Record<string, unknown>) => object | null) => ({
    method: 'POST' as const,
    setupRequest: (request: autocannon.Request, context: Record<string, unknown>) => {
      const input = body(context);
      // without the task (its creation failed), start the visit over
      if (!input) return null as unknown as autocannon.Request;
      return { ...request, path, headers: auth(context), body: JSON.stringify(input) };
    },
  });
  return [
    get('/trpc/dashboard.statistics', true),
    {
      ...post('/trpc/tasks.create', () => ({
        title: MIXED_TITLE,
        priority: 'high',
        dueAt: new Date(Date.now() - 3_600_000).toISOString(),
      })),
      onResponse: (status: number, body: string, context: Record<string, unknown>) => {
        if (status === 200)
          context.taskId = (
            JSON.parse(body) as { result: { data: { id: string } } }
          ).result.data.id;
      },
    },
    get('/trpc/dashboard.statistics'),
    post('/trpc/tasks.update', (context) =>
      context.taskId ? { id: context.taskId, status: 'completed' } : null,
    ),
    get('/trpc/dashboard.breakdown'),
    post('/trpc/tasks.delete', (context) => (context.taskId ? { id: context.taskId } : null)),
    get('/trpc/dashboard.shared'),
    get('/trpc/dashboard.statistics'),
  ] as NonNullable<CannonOptions['requests']>;
}

/** The long load: every sequence a random user's statistics, breakdown and activity. */
function spreadRequests(userTokens: string[]): NonNullable<CannonOptions['requests']> {
  const path = (p: string, first = false) => ({
    method: 'GET' as const,
    setupRequest: (request: autocannon.Request, context: Record<string, unknown>) => {
      if (first) {
        context.token = userTokens[Math.floor(Math.random() * userTokens.length)];
      }
      return {
        ...request,
        path: p,
        headers: { authorization: `Bearer ${context.token as string}` },
      };
    },
  });
  return [
    path('/trpc/dashboard.statistics', true),
    path('/trpc/dashboard.breakdown'),
    path('/trpc/dashboard.activity'),
  ] as NonNullable<CannonOptions['requests']>;
}

/**
 * Part 2: cached reads through core and concurrent misses in this process, then the HTTP
 * benchmarks against API servers in child processes.
 */
export async function runApiBench(
  config: BenchConfig,
  tp: Taskpulse,
  users: { small: string; all: string[] },
  reporter: ApiReporter,
): Promise<ApiResults> {
  // cached reads through core: warm the figure, then read it from the cache
  const me = users.small;
  await tp.dashboard.statistics(tp.context({ id: me }));
  const sameContext = tp.context({ id: me });
  const cached = await measure(
    [
      { key: 'cached, new context', run: () => tp.dashboard.statistics(tp.context({ id: me })) },
      { key: 'cached, same context', run: () => tp.dashboard.statistics(sameContext) },
    ],
    {
      timeMs: config.timeMs,
      rounds: config.rounds,
      minIterations: config.minIterations,
      onStep: (step) => reporter.step({ ...step, key: `cached core read · ${step.key}` }),
    },
  );

  // identical concurrent misses on an empty cache, counting the statements sent
  reporter.log(`${config.concurrentMisses} concurrent identical cache misses`);
  const fresh = await createTaskpulse({ database: { url: config.databaseUrl, poolSize: 10 } });
  let queries = 0;
  try {
    await fresh.fork().execute('select 1');
    const stop = fresh.observeQueries(() => {
      queries += 1;
    });
    await Promise.all(
      Array.from({ length: config.concurrentMisses }, () =>
        fresh.dashboard.statistics(fresh.context({ id: me })),
      ),
    );
    stop();
  } finally {
    await fresh.close();
  }
  const counters = fresh.cache?.stats();

  // HTTP
  const secret = randomBytes(32).toString('hex');
  const [smallToken = ''] = await tokens(secret, [me]);
  const userTokens = await tokens(secret, users.all);
  const seconds = config.httpSeconds;
  const http: HttpRun[] = [];
  const base = { connections: config.connections, duration: seconds };
  const fixed = (url: string, path: string) => ({
    ...base,
    url: `${url}${path}`,
    headers: { authorization: `Bearer ${smallToken}` },
  });
  const totalSteps = config.httpRounds * 5 + 2;
  let step = 0;
  const run = async (scenario: string, round: number, options: CannonOptions) => {
    reporter.step({ key: `HTTP · ${scenario}`, round, done: step++, total: totalSteps });
    // a short warm-up, not recorded
    await autocannon({ ...options, duration: Math.min(2, seconds) });
    const result = await cannon(scenario, round, options);
    http.push(result);
    return result;
  };

  await cleanUpMixedLoad(tp);
  const cachedServer = await startServer(config, secret, 'on');
  // the same server, but each request forks its entity manager up front (before/after lazy forks)
  const eagerServer = await startServer(config, secret, 'on', 'eager');
  let memorySamples: ServerMemory[] = [];
  let load: HttpRun | null = null;
  try {
    for (let round = 0; round < config.httpRounds; round += 1) {
      await run('noop', round, fixed(cachedServer.url, '/trpc/bench.noop'));
      await run('statistics, cached', round, fixed(cachedServer.url, '/trpc/dashboard.statistics'));
      await run(
        'statistics, cached, eager fork',
        round,
        fixed(eagerServer.url, '/trpc/dashboard.statistics'),
      );
    }
    await eagerServer.close();
    await run('mixed read/write', 0, {
      ...base,
      url: cachedServer.url,
      requests: mixedRequests(userTokens),
    });

    // memory before and after a long load over many users (more figures than the cache holds)
    reporter.step({
      key: `HTTP · ${config.loadSeconds} s load over ${users.all.length} users`,
      round: 0,
      done: step++,
      total: totalSteps,
    });
    // in three stretches, with a reading after each: a bounded cache and heap level off
    memorySamples = [await cachedServer.memory('before the load')];
    const stretch = Math.max(1, Math.round(config.loadSeconds / 3));
    const stretches: HttpRun[] = [];
    for (let i = 1; i <= 3; i += 1) {
      stretches.push(
        await cannon('long load, many users', i - 1, {
          ...base,
          duration: stretch,
          url: cachedServer.url,
          requests: spreadRequests(userTokens),
        }),
      );
      memorySamples.push(await cachedServer.memory(`after ${i * stretch} s of load`));
    }
    load = combine(stretches);
  } finally {
    await eagerServer.close();
    await cachedServer.close();
  }

  const uncachedServer = await startServer(config, secret, 'off');
  try {
    for (let round = 0; round < config.httpRounds; round += 1) {
      await run(
        'noop (server without cache)',
        round,
        fixed(uncachedServer.url, '/trpc/bench.noop'),
      );
      await run(
        'statistics, uncached',
        round,
        fixed(uncachedServer.url, '/trpc/dashboard.statistics'),
      );
    }
  } finally {
    await uncachedServer.close();
  }
  await cleanUpMixedLoad(tp);

  return {
    cachedCore: cached.get('cached, new context')!,
    cachedCoreSameContext: cached.get('cached, same context')!,
    misses: {
      concurrent: config.concurrentMisses,
      queries,
      computes: counters?.computes ?? 0,
      coalesced: counters?.coalesced ?? 0,
      misses: counters?.misses ?? 0,
    },
    http,
    memory: {
      loadSeconds: config.loadSeconds,
      cacheMax: config.cacheMax,
      samples: memorySamples,
      load,
    },
  };
}

/** Several runs of one scenario as one: totals summed, rates averaged, the worst p99. */
function combine(runs: HttpRun[]): HttpRun {
  const first = runs[0]!;
  const sum = (f: (r: HttpRun) => number) => runs.reduce((total, r) => total + f(r), 0);
  const statusCodes: Record<string, number> = {};
  for (const run of runs) {
    for (const [code, n] of Object.entries(run.statusCodes))
      statusCodes[code] = (statusCodes[code] ?? 0) + n;
  }
  return {
    ...first,
    seconds: sum((r) => r.seconds),
    requestsPerSecond: sum((r) => r.requestsPerSecond) / runs.length,
    total: sum((r) => r.total),
    p50: runs.map((r) => r.p50).sort((a, b) => a - b)[Math.floor(runs.length / 2)]!,
    p99: Math.max(...runs.map((r) => r.p99)),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
    statusCodes,
  };
}

/** Removes what an interrupted mixed load left behind, so that the seeded data stays as seeded. */
async function cleanUpMixedLoad(tp: Taskpulse): Promise<void> {
  await tp.fork().execute('delete from tasks where title = ?', [MIXED_TITLE]);
}
