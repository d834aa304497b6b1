/**
 * The API server the HTTP benchmarks load, run as a child process of `pnpm bench` (on a core
 * of its own): the standard taskpulse router plus `bench.noop`, an authenticated query that
 * does nothing — the framework's own ceiling, with the same auth, rate limiter, logging and
 * metrics as every procedure — and `@taskpulse/mcp`'s `/mcp` beside it. It talks to its parent over IPC: it says where it listens,
 * and answers `memory` (after a full GC) and `close`.
 *
 * Environment: BENCH_DATABASE_URL, BENCH_JWT_SECRET, BENCH_CACHE (`on`/`off`),
 * BENCH_CACHE_MAX (figures kept, default 10,000), BENCH_CONTEXT (`lazy`, the default, or
 * `eager`: every request forks an entity manager up front and hands it to `tp.context`, as
 * the HTTP layer did before its context forked on first use — the "before" of that change).
 */
import { createTaskpulse } from '@taskpulse/core';
import { taskpulseMcp } from '@taskpulse/mcp';
import {
  createTaskpulseRouter,
  createTaskpulseRuntime,
  createTaskpulseServer,
} from '@taskpulse/trpc-server';

/** A message from the server to the bench. */
export type ServerMessage =
  | { type: 'listening'; url: string }
  | {
      type: 'memory';
      heapUsed: number;
      heapTotal: number;
      rss: number;
      cache: { size: number; evictions: number; hits: number; misses: number } | null;
    };

/** A message from the bench to the server. */
export type BenchMessage = { type: 'memory' } | { type: 'close' };

const url = process.env.BENCH_DATABASE_URL;
const secret = process.env.BENCH_JWT_SECRET;
if (!url || !secret || !process.send) {
  console.error(
    'http-server.ts is started by pnpm bench (BENCH_DATABASE_URL, BENCH_JWT_SECRET, IPC)',
  );
  process.exit(2);
}
const send = (message: ServerMessage) => process.send?.(message);

const taskpulse = await createTaskpulse({
  database: { url, poolSize: 10 },
  cache:
    process.env.BENCH_CACHE === 'off'
      ? false
      : { max: Number(process.env.BENCH_CACHE_MAX ?? 10_000) },
});
if (process.env.BENCH_CONTEXT === 'eager') {
  const lazyContext = taskpulse.context.bind(taskpulse);
  taskpulse.context = (caller, options) =>
    lazyContext(caller, options?.em ? options : { em: taskpulse.fork() });
}
// the limiter stays in the path (its cost is part of every call), with budgets no run reaches
const budget = { points: 1_000_000_000, durationSeconds: 60 };
const runtime = createTaskpulseRuntime({
  taskpulse,
  auth: { secret },
  rateLimit: { ip: budget, user: budget },
  production: true,
});
const router = createTaskpulseRouter(runtime, (b) => ({
  bench: b.router({ noop: b.authed.query(() => null) }),
}));
const server = createTaskpulseServer({ runtime, router, routes: [taskpulseMcp()] });
const listening = await server.listen(0, '127.0.0.1');
send({ type: 'listening', url: listening.url });

/**
 * The memory after the requests of a run have settled: a pause for the last responses, then
 * two full collections (the second picks up what the first's finalizers released).
 */
async function readMemory(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 500));
  globalThis.gc?.();
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc?.();
  const { heapUsed, heapTotal, rss } = process.memoryUsage();
  const stats = taskpulse.cache?.stats();
  send({
    type: 'memory',
    heapUsed,
    heapTotal,
    rss,
    cache: stats
      ? { size: stats.size, evictions: stats.evictions, hits: stats.hits, misses: stats.misses }
      : null,
  });
}

process.on('message', (message: BenchMessage) => {
  if (message.type === 'memory') {
    void readMemory();
  } else if (message.type === 'close') {
    void server
      .close()
      .then(() => runtime.close())
      .then(() => taskpulse.close())
      .finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
