import { randomBytes } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeRedis, testRedisUrl } from '../../../core/test/redis.ts';
import { startTcpProxy, type TcpProxy } from '../../../core/test/tcp-proxy.ts';
import type { TaskpulseLogger } from '../logging/index.ts';
import { createRateLimiter, type RateLimiter } from './rate-limiter.ts';

const silent = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silent;
  },
} as unknown as TaskpulseLogger;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeRedis('a rate limiter whose Redis goes away mid-command', () => {
  let proxy: TcpProxy;
  let limiter: RateLimiter;
  beforeAll(async () => {
    const { hostname, port } = new URL(testRedisUrl);
    proxy = await startTcpProxy({ host: hostname, port: Number(port || 6379) });
    limiter = createRateLimiter(
      {
        ip: false,
        user: { points: 1_000_000, durationSeconds: 60 },
        redis: { url: `redis://127.0.0.1:${proxy.port}` },
        keyPrefix: `taskpulse-test:${randomBytes(4).toString('hex')}`,
      },
      { logger: silent, onLimited: () => {} },
    );
    await limiter.consume('user', 'warm-up');
  });
  afterAll(async () => {
    await limiter?.close();
    await proxy?.close();
  });

  it('regression: calls in flight when Redis went away waited until it came back', async () => {
    let stop = false;
    const slowest: number[] = [];
    // callers one after another, so that some command is always in flight at the cut
    const callers = Array.from({ length: 6 }, async (_, caller) => {
      let longest = 0;
      while (!stop) {
        const started = performance.now();
        await limiter.consume('user', `caller-${caller}`);
        longest = Math.max(longest, performance.now() - started);
        // a call counted in memory resolves without I/O: let timers run between calls
        await sleep(2);
      }
      slowest.push(longest);
    });
    await sleep(300);
    proxy.cut();
    // before the fix, the calls in flight here stayed pending for the whole outage
    await sleep(5_000);
    proxy.restore();
    await sleep(300);
    stop = true;
    await Promise.all(callers);
    // about a second (the deadline) at most, against the 5 s of the outage
    expect(Math.max(...slowest)).toBeLessThan(2_500);
  }, 20_000);

  it('keeps the budget while Redis is away, counted in memory', async () => {
    const small = createRateLimiter(
      {
        ip: false,
        user: { points: 3, durationSeconds: 60 },
        redis: { url: `redis://127.0.0.1:${proxy.port}` },
        keyPrefix: `taskpulse-test:${randomBytes(4).toString('hex')}`,
      },
      { logger: silent, onLimited: () => {} },
    );
    try {
      await small.consume('user', 'warm-up');
      proxy.cut();
      const outcomes: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        outcomes.push(
          await small.consume('user', 'spender').then(
            () => 'ok',
            (error: unknown) => (error instanceof TRPCError ? error.code : String(error)),
          ),
        );
      }
      expect(outcomes).toEqual(['ok', 'ok', 'ok', 'TOO_MANY_REQUESTS']);
    } finally {
      proxy.restore();
      await small.close();
    }
  });
});
