/**
 * The Redis test harness: suites that need a Redis server run against the one at
 * TASKPULSE_TEST_REDIS_URL (default the local one). When it cannot be reached they are
 * skipped with a printed reason, unless TASKPULSE_REQUIRE_REDIS=1 turns that into a failure.
 * Each suite gets its own key prefix, and its keys are deleted after it.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe } from 'vitest';

/** The Redis server the tests use. */
export const testRedisUrl = process.env.TASKPULSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const requireRedis = process.env.TASKPULSE_REQUIRE_REDIS === '1';

/** A client for tests that fails fast instead of retrying. */
export function testRedisClient(url = testRedisUrl): Redis {
  return new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
}

async function probeRedis(): Promise<string | undefined> {
  const client = testRedisClient();
  // connect() only says "Connection is closed."; the error event says why
  let cause: unknown;
  client.on('error', (error: unknown) => {
    cause = error;
  });
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    const reason = cause ?? error;
    return reason instanceof Error ? reason.message : String(reason);
  } finally {
    client.disconnect();
  }
}

const unreachable = await probeRedis();
if (unreachable !== undefined) {
  const message = `Redis at ${new URL(testRedisUrl).host} cannot be reached (${unreachable})`;
  if (requireRedis) throw new Error(`${message}, and TASKPULSE_REQUIRE_REDIS=1 requires it.`);
  console.warn(`${message}: skipping the tests that need Redis.`);
}

/** Whether the Redis tests run. */
export const redisAvailable = unreachable === undefined;

/** What a Redis suite body receives. */
export interface TestRedis {
  readonly url: string;
  /** `host` and `port` of the server, for a {@link startTcpProxy} in front of it. */
  readonly host: string;
  readonly port: number;
  /** A key prefix of this suite's own, e.g. `taskpulse-test:3f9a…:`. */
  readonly keyPrefix: string;
}

/**
 * Runs `body` when Redis answers, with a key prefix of its own whose keys are deleted after
 * the suite; skipped (with the reason printed at start) when it does not.
 */
export function describeRedis(title: string, body: (redis: TestRedis) => void): void {
  const url = new URL(testRedisUrl);
  const redis: TestRedis = {
    url: testRedisUrl,
    host: url.hostname,
    port: Number(url.port || 6379),
    keyPrefix: `taskpulse-test:${randomBytes(6).toString('hex')}:`,
  };
  describe.skipIf(!redisAvailable)(`${title} [redis]`, () => {
    afterAll(async () => {
      const client = testRedisClient();
      await client.connect();
      try {
        const keys: string[] = [];
        for await (const batch of client.scanStream({ match: `${redis.keyPrefix}*` })) {
          keys.push(...(batch as string[]));
        }
        if (keys.length > 0) await client.unlink(...keys);
      } finally {
        await client.quit();
      }
    });
    body(redis);
  });
}
