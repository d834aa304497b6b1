import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { describeRedis } from '../../test/redis.ts';
import { startTcpProxy, type TcpProxy } from '../../test/tcp-proxy.ts';
import { InProcessChangeEventBus } from '../events/index.ts';
import { canonicalKey } from './cache-key.ts';
import { StatsCache, type StatsCacheKey, type StatsCacheOptions } from './index.ts';
import { openRedisStore, type RedisStoreHooks } from './redis-store.ts';

const aliceStatistics: StatsCacheKey = { userId: 'alice', figure: 'statistics' };
const bobStatistics: StatsCacheKey = { userId: 'bob', figure: 'statistics' };

/** A logger that records, and can tell outage warnings from the rest. */
function recordingLogger() {
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const outageWarnings = () =>
    logger.warn.mock.calls.filter(([, message]) => String(message).includes('is unavailable'))
      .length;
  return { logger, outageWarnings };
}

/** Waits (at most `timeout` ms) until the cache's Redis is up. */
async function untilUp(cache: StatsCache, timeout = 5_000): Promise<void> {
  await vi.waitFor(() => expect(cache.stats().redis).toBe('up'), { timeout, interval: 10 });
}

describeRedis('StatsCache across instances', (redis) => {
  const open: StatsCache[] = [];
  let proxy: TcpProxy | undefined;
  // a prefix per test, under the suite's: what one test leaves in Redis, the next cannot read
  let tests = 0;
  let keyPrefix = redis.keyPrefix;

  /** A cache on this suite's Redis (or on `url`), closed after the test. */
  function instance(options: StatsCacheOptions & { url?: string } = {}): StatsCache {
    const { url = redis.url, ...rest } = options;
    const cache = new StatsCache({
      logger: recordingLogger().logger,
      ...rest,
      redis: { url, keyPrefix, ...rest.redis },
    });
    open.push(cache);
    return cache;
  }

  let database: Map<string, string>;
  /** Reads "the database": what a statistic would count right now. */
  const count = (key: StatsCacheKey) =>
    vi.fn(async (_signal: AbortSignal) => database.get(key.userId) ?? 'none');

  beforeEach(() => {
    keyPrefix = `${redis.keyPrefix}${++tests}:`;
    database = new Map([
      ['alice', 'alice-1'],
      ['bob', 'bob-1'],
    ]);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((cache) => cache.close()));
    await proxy?.close();
    proxy = undefined;
  });

  it('shares figures: B answers with what A computed, without computing', async () => {
    const a = instance();
    const b = instance();
    await Promise.all([untilUp(a), untilUp(b)]);
    const onA = count(aliceStatistics);
    const onB = count(aliceStatistics);

    expect(await a.get(aliceStatistics, onA)).toBe('alice-1');
    expect(await b.get(aliceStatistics, onB)).toBe('alice-1');
    expect(onA).toHaveBeenCalledTimes(1);
    expect(onB).not.toHaveBeenCalled();
    expect(b.stats()).toMatchObject({ redisHits: 1, computes: 0, misses: 1 });
    // from then on B answers from its own memory
    expect(await b.get(aliceStatistics, onB)).toBe('alice-1');
    expect(b.stats()).toMatchObject({ redisHits: 1, hits: 1 });
  });

  it('a change event on A reaches B: B answers fresh within one second, other users stay cached', async () => {
    const a = instance();
    const b = instance();
    await Promise.all([untilUp(a), untilUp(b)]);
    const bus = new InProcessChangeEventBus();
    a.attach(bus);
    for (const cache of [a, b]) {
      await cache.get(aliceStatistics, count(aliceStatistics));
      await cache.get(bobStatistics, count(bobStatistics));
    }

    database.set('alice', 'alice-2');
    database.set('bob', 'bob-2'); // behind the SDK's back: shows within the time-to-live
    bus.publish({
      type: 'task.created',
      actorId: 'alice',
      affectedUserIds: ['alice'],
      at: new Date(),
    });
    expect(await a.get(aliceStatistics, count(aliceStatistics))).toBe('alice-2');
    await vi.waitFor(
      async () => expect(await b.get(aliceStatistics, count(aliceStatistics))).toBe('alice-2'),
      { timeout: 1_000, interval: 10 },
    );
    expect(await b.get(bobStatistics, count(bobStatistics))).toBe('bob-1');
    expect(b.stats().invalidations).toBe(1);
  });

  it('a compute on A that overlaps an invalidation from B never lets B read its stale value', async () => {
    const a = instance();
    const b = instance();
    await Promise.all([untilUp(a), untilUp(b)]);
    const staleOnA = vi.fn(async (_signal: AbortSignal) => {
      const seen = database.get('alice');
      database.set('alice', 'alice-2'); // a write lands while A computes …
      await b.invalidateUsers(['alice']); // … and is invalidated through B
      return seen;
    });

    const fromA = await a.get(aliceStatistics, staleOnA);
    expect(['alice-1', 'alice-2']).toContain(fromA); // concurrent with the write: either is right
    // B computes it, or reads what A recomputed after the invalidation; never A's stale value
    expect(await b.get(aliceStatistics, count(aliceStatistics))).toBe('alice-2');
    await vi.waitFor(
      async () => expect(await a.get(aliceStatistics, count(aliceStatistics))).toBe('alice-2'),
      { timeout: 1_000, interval: 10 },
    );
  });

  it('Redis down: lookups answer from the database, one warning per outage, never an error', async () => {
    proxy = await startTcpProxy({ host: redis.host, port: redis.port });
    const { logger, outageWarnings } = recordingLogger();
    const a = instance({ url: `redis://127.0.0.1:${proxy.port}`, logger });
    await untilUp(a);
    expect(await a.get(aliceStatistics, count(aliceStatistics))).toBe('alice-1');

    proxy.cut();
    await vi.waitFor(() => expect(a.stats().redis).toBe('down'));
    database.set('alice', 'alice-2');
    await a.invalidateUsers(['alice']); // cannot reach Redis: resolves all the same
    for (let round = 0; round < 20; round++) {
      expect(await a.get(aliceStatistics, count(aliceStatistics))).toBe('alice-2');
      const bobs = await Promise.all(
        Array.from({ length: 5 }, (_, day) =>
          a.get({ ...bobStatistics, params: { day, round } }, count(bobStatistics)),
        ),
      );
      expect(bobs).toEqual(Array.from({ length: 5 }, () => 'bob-1'));
    }
    expect(outageWarnings()).toBe(1);
    expect(a.stats().redisErrors).toBeGreaterThan(0);

    proxy.restore();
    await untilUp(a);
    expect(logger.info).toHaveBeenCalledWith({}, expect.stringContaining('reachable again'));
    expect(await a.get(aliceStatistics, count(aliceStatistics))).toBe('alice-2');

    proxy.cut(); // a second outage is a second warning
    await vi.waitFor(() => expect(a.stats().redis).toBe('down'));
    await a.get(bobStatistics, count(bobStatistics));
    expect(outageWarnings()).toBe(2);
  });

  it('B, cut off from Redis, misses an invalidation from A: after Redis returns, B resynchronises', async () => {
    proxy = await startTcpProxy({ host: redis.host, port: redis.port });
    const a = instance();
    const b = instance({ url: `redis://127.0.0.1:${proxy.port}` });
    await Promise.all([untilUp(a), untilUp(b)]);
    expect(await b.get(aliceStatistics, count(aliceStatistics))).toBe('alice-1');
    expect(await b.get(bobStatistics, count(bobStatistics))).toBe('bob-1');

    proxy.cut();
    await vi.waitFor(() => expect(b.stats().redis).toBe('down'));
    database.set('alice', 'alice-2');
    await a.invalidateUsers(['alice']); // published, but B is not listening
    expect(await b.get(aliceStatistics, count(aliceStatistics))).toBe('alice-1'); // its memory

    proxy.restore();
    await vi.waitFor(
      async () => expect(await b.get(aliceStatistics, count(aliceStatistics))).toBe('alice-2'),
      { timeout: 3_000, interval: 20 },
    );
    expect(b.stats()).toMatchObject({ resyncs: 1, invalidations: 0 });
  });

  it('an invalidation made while Redis is down is replayed when it returns', async () => {
    proxy = await startTcpProxy({ host: redis.host, port: redis.port });
    const url = `redis://127.0.0.1:${proxy.port}`;
    const a = instance({ url });
    const b = instance({ url });
    await Promise.all([untilUp(a), untilUp(b)]);
    expect(await b.get(aliceStatistics, count(aliceStatistics))).toBe('alice-1');

    proxy.cut();
    await vi.waitFor(() => {
      expect(a.stats().redis).toBe('down');
      expect(b.stats().redis).toBe('down');
    });
    database.set('alice', 'alice-2');
    await a.invalidateUsers(['alice']); // B cannot hear it
    expect(await a.get(aliceStatistics, count(aliceStatistics))).toBe('alice-2');
    expect(await b.get(aliceStatistics, count(aliceStatistics))).toBe('alice-1'); // its memory

    proxy.restore();
    await vi.waitFor(
      async () => expect(await b.get(aliceStatistics, count(aliceStatistics))).toBe('alice-2'),
      { timeout: 3_000, interval: 20 },
    );
    expect(b.stats().resyncs).toBe(1);
    await Promise.all([untilUp(a), untilUp(b)]);
    expect(await a.get(aliceStatistics, count(aliceStatistics))).toBe('alice-2');
    expect(await b.get(aliceStatistics, count(aliceStatistics))).toBe('alice-2');
  });

  it('Redis unreachable from the start: lookups answer, one warning, close() returns', async () => {
    proxy = await startTcpProxy({ host: redis.host, port: redis.port });
    proxy.cut();
    const { logger, outageWarnings } = recordingLogger();
    const a = instance({ url: `redis://127.0.0.1:${proxy.port}`, logger });
    await vi.waitFor(() => expect(a.stats().redis).toBe('down'));
    expect(await a.get(aliceStatistics, count(aliceStatistics))).toBe('alice-1');
    expect(await a.get(aliceStatistics, count(aliceStatistics))).toBe('alice-1');
    await a.invalidateUsers(['alice']);
    expect(outageWarnings()).toBe(1);
    expect(a.stats()).toMatchObject({ computes: 1, hits: 1 });
    await a.close();
  });

  it('close() quits both Redis connections', async () => {
    proxy = await startTcpProxy({ host: redis.host, port: redis.port });
    const a = instance({ url: `redis://127.0.0.1:${proxy.port}` });
    await untilUp(a);
    expect(proxy.connections).toBe(2);
    await a.close();
    await vi.waitFor(() => expect(proxy?.connections).toBe(0));
  });

  it('Redis store: a value written under a generation read before an invalidation is never read after it', async () => {
    const hooks: RedisStoreHooks = {
      invalidated: vi.fn(),
      resync: vi.fn(),
      failed: vi.fn(),
      logger: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    };
    const options = {
      url: redis.url,
      keyPrefix,
      ttlMs: 5_000,
      commandTimeoutMs: 500,
    };
    const [a, b] = await Promise.all([
      openRedisStore(options, hooks),
      openRedisStore(options, hooks),
    ]);
    try {
      await vi.waitFor(() => expect([a.state, b.state]).toEqual(['up', 'up']));
      const key = canonicalKey({ userId: 'carol', figure: 'statistics' });
      const before = await a.read('carol', key);
      expect(before).toEqual({ generation: expect.any(String) });
      await b.invalidate(['carol']);
      await a.write(before?.generation ?? '', key, 'stale'); // the compute that started before
      const after = await b.read('carol', key);
      expect(after?.generation).not.toBe(before?.generation);
      expect(after?.hit).toBeUndefined();

      await b.write(after?.generation ?? '', key, 'fresh');
      expect((await a.read('carol', key))?.hit).toMatchObject({ value: 'fresh' });
      await vi.waitFor(() => expect(hooks.invalidated).toHaveBeenCalledWith(['carol']));
      expect(hooks.failed).not.toHaveBeenCalled();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
