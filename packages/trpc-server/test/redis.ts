/**
 * Redis for the tests that need it: probed once at start. When Redis cannot be reached those
 * tests are skipped with a printed reason, unless TASKPULSE_REQUIRE_REDIS=1 makes that a failure.
 */
import { Redis } from 'ioredis';
import { describe } from 'vitest';

/** The Redis server the tests use. */
export const testRedisUrl = process.env.TASKPULSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const requireRedis = process.env.TASKPULSE_REQUIRE_REDIS === '1';

async function probeRedis(): Promise<string | undefined> {
  const client = new Redis(testRedisUrl, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    client.disconnect();
  }
}

const unreachable = await probeRedis();
if (unreachable !== undefined) {
  const message = `Redis at ${new URL(testRedisUrl).host} cannot be reached (${unreachable})`;
  if (requireRedis) throw new Error(`${message}, and TASKPULSE_REQUIRE_REDIS=1 requires it.`);
  console.warn(`${message}: skipping the Redis tests.`);
}

/** Whether the Redis tests run. */
export const redisAvailable = unreachable === undefined;

/** Runs `body` only when Redis answers; skipped, with the reason printed at start, otherwise. */
export function describeRedis(title: string, body: () => void): void {
  describe.skipIf(!redisAvailable)(`${title} [redis]`, body);
}
