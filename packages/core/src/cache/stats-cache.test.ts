import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { isTaskpulseError } from '../errors/index.ts';
import { type ChangeEvent, InProcessChangeEventBus } from '../events/index.ts';
import { StatsCache, type StatsCacheKey } from './index.ts';

const alice = (figure: string, params?: StatsCacheKey['params']): StatsCacheKey => ({
  userId: 'alice',
  figure,
  params,
});
const bob = (figure: string, params?: StatsCacheKey['params']): StatsCacheKey => ({
  userId: 'bob',
  figure,
  params,
});

/** A compute that counts its calls and answers with the current value of `source()`. */
function counted<T>(source: () => T) {
  const compute = vi.fn(async (_signal: AbortSignal) => source());
  return compute;
}

function changeEvent(affectedUserIds: string[]): ChangeEvent {
  return {
    type: 'task.updated',
    actorId: affectedUserIds[0] ?? 'x',
    affectedUserIds,
    at: new Date(),
  };
}

describe('StatsCache', () => {
  it('serves a figure from the cache for the time-to-live (default 5 s), then computes it again', async () => {
    let now = 1_000;
    const cache = new StatsCache({ now: () => now });
    let value = 1;
    const compute = counted(() => value);

    expect(await cache.get(alice('statistics'), compute)).toBe(1);
    value = 2;
    now += 5_000;
    expect(await cache.get(alice('statistics'), compute)).toBe(1);
    now += 1;
    expect(await cache.get(alice('statistics'), compute)).toBe(2);
    expect(compute).toHaveBeenCalledTimes(2);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, computes: 2 });
  });

  it('takes the time-to-live from ttlMs', async () => {
    let now = 1_000; // lru-cache reads a start time of 0 as "no time-to-live"
    const cache = new StatsCache({ ttlMs: 100, now: () => now });
    const compute = counted(() => 'x');
    await cache.get(alice('statistics'), compute);
    now += 100;
    await cache.get(alice('statistics'), compute);
    expect(compute).toHaveBeenCalledTimes(1);
    now += 1;
    await cache.get(alice('statistics'), compute);
    expect(compute).toHaveBeenCalledTimes(2);
  });

  it('keys by user × figure × parameters, whatever the order of the parameters', async () => {
    const cache = new StatsCache();
    const compute = counted(() => 'x');

    await cache.get(alice('trend', { days: 30, timeZone: 'UTC' }), compute);
    await cache.get(
      alice('trend', { timeZone: 'UTC', days: 30, weekStartsOn: undefined }),
      compute,
    );
    expect(compute).toHaveBeenCalledTimes(1);

    await cache.get(alice('trend', { days: '30', timeZone: 'UTC' }), compute); // a string, not 30
    await cache.get(alice('trend', { days: 7, timeZone: 'UTC' }), compute);
    await cache.get(alice('activity', { days: 30, timeZone: 'UTC' }), compute);
    await cache.get(bob('trend', { days: 30, timeZone: 'UTC' }), compute);
    await cache.get(alice('trend'), compute);
    expect(compute).toHaveBeenCalledTimes(6);
    expect(cache.stats().size).toBe(6);
  });

  it('runs one compute for 100 concurrent lookups of a missing key', async () => {
    const cache = new StatsCache();
    const { promise, resolve } = Promise.withResolvers<number>();
    const compute = vi.fn((_signal: AbortSignal) => promise);

    const lookups = Array.from({ length: 100 }, () => cache.get(alice('statistics'), compute));
    resolve(42);
    expect(await Promise.all(lookups)).toEqual(Array.from({ length: 100 }, () => 42));

    expect(compute).toHaveBeenCalledTimes(1);
    expect(cache.stats()).toMatchObject({ computes: 1, misses: 1, coalesced: 99, hits: 0 });
    expect(await cache.get(alice('statistics'), compute)).toBe(42);
    expect(cache.stats()).toMatchObject({ computes: 1, misses: 1, coalesced: 99, hits: 1 });
  });

  it('keeps at most max figures, evicting the least recently used, and counts evictions', async () => {
    const cache = new StatsCache({ max: 3 });
    const compute = counted(() => 'x');
    for (const figure of ['a', 'b', 'c']) await cache.get(alice(figure), compute);
    await cache.get(alice('a'), compute); // now b is the least recently used
    await cache.get(alice('d'), compute);
    expect(cache.stats()).toMatchObject({ size: 3, evictions: 1 });
    expect(compute).toHaveBeenCalledTimes(4);

    await cache.get(alice('a'), compute);
    expect(compute).toHaveBeenCalledTimes(4);
    await cache.get(alice('b'), compute);
    expect(compute).toHaveBeenCalledTimes(5);
  });

  it('invalidateUsers drops every figure of those users (all parameters) and nothing of the others', async () => {
    const cache = new StatsCache();
    const compute = counted(() => 'x');
    const aliceKeys = [
      alice('statistics'),
      alice('trend', { days: 7 }),
      alice('trend', { days: 30 }),
      alice('activity', { timeZone: 'Europe/Berlin', weekStartsOn: 1 }),
    ];
    const bobKeys = [bob('statistics'), bob('trend', { days: 7 })];
    for (const key of [...aliceKeys, ...bobKeys]) await cache.get(key, compute);
    expect(cache.stats().size).toBe(6);

    await cache.invalidateUsers(['alice']);
    expect(cache.stats()).toMatchObject({ size: 2, invalidations: 1 });

    for (const key of bobKeys) await cache.get(key, compute);
    expect(compute).toHaveBeenCalledTimes(6);
    for (const key of aliceKeys) await cache.get(key, compute);
    expect(compute).toHaveBeenCalledTimes(10);

    await cache.invalidateUsers(['carol', 'alice', 'bob']);
    expect(cache.stats().size).toBe(0);
  });

  it('never stores a result computed while its user was invalidated: callers get the fresh value', async () => {
    const cache = new StatsCache();
    let database = 'old';
    const first = Promise.withResolvers<string>();
    const started = Promise.withResolvers<void>();
    const signals: AbortSignal[] = [];
    const compute = vi.fn(async (signal: AbortSignal) => {
      signals.push(signal);
      if (signals.length > 1) return database;
      started.resolve();
      return first.promise; // held until the test lets it answer
    });

    const waiting = [
      cache.get(alice('statistics'), compute),
      cache.get(alice('statistics'), compute),
    ];
    await started.promise;
    database = 'new'; // a write …
    await cache.invalidateUsers(['alice']); // … and its invalidation, while the compute runs
    expect(signals[0]?.aborted).toBe(true);
    first.resolve('old'); // the compute answers with what it read before the write

    // the callers that waited get a value computed after the invalidation, not an AbortError
    expect(await Promise.all(waiting)).toEqual(['new', 'new']);
    expect(await cache.get(alice('statistics'), compute)).toBe('new');
    expect(compute).toHaveBeenCalledTimes(2);
    expect(cache.stats()).toMatchObject({ abandoned: 1, computes: 2 });
  });

  it('a lookup started after an invalidation computes again, even if the older compute answers later', async () => {
    const cache = new StatsCache();
    const held = Promise.withResolvers<string>();
    const started = Promise.withResolvers<void>();
    const oldCompute = vi.fn(async (_signal: AbortSignal) => {
      started.resolve();
      return held.promise;
    });
    const early = cache.get(alice('statistics'), oldCompute);
    await started.promise;
    await cache.invalidateUsers(['alice']);

    const newCompute = counted(() => 'new');
    const late = cache.get(alice('statistics'), newCompute);
    held.resolve('old');
    expect(await late).toBe('new');
    expect(await early).toBe('new'); // retried, and joined the load of `late`
    expect(newCompute).toHaveBeenCalledTimes(1);
    expect(await cache.get(alice('statistics'), newCompute)).toBe('new');
    expect(newCompute).toHaveBeenCalledTimes(1);
  });

  it('a lookup whose every load is invalidated still answers, with a value computed after the last invalidation', async () => {
    const cache = new StatsCache();
    let version = 0;
    const compute = vi.fn(async (_signal: AbortSignal) => {
      const seen = ++version;
      // a write to this user lands during every compute
      await cache.invalidateUsers(['alice']);
      return seen;
    });
    const value = await cache.get(alice('statistics'), compute);
    expect(value).toBe(version);
    expect(compute.mock.calls.length).toBeGreaterThan(1);
  });

  it('gives a failed compute to every waiting caller and does not cache it', async () => {
    const cache = new StatsCache();
    const failure = Promise.withResolvers<string>();
    const compute = vi.fn((_signal: AbortSignal) => failure.promise);
    const lookups = [
      cache.get(alice('statistics'), compute),
      cache.get(alice('statistics'), compute),
    ];
    failure.reject(new Error('database down'));
    for (const result of await Promise.allSettled(lookups)) {
      expect(result).toMatchObject({ status: 'rejected', reason: { message: 'database down' } });
    }
    expect(compute).toHaveBeenCalledTimes(1);
    expect(await cache.get(alice('statistics'), async () => 'back')).toBe('back');
    expect(cache.stats().abandoned).toBe(0);
  });

  it('attach(): every change event invalidates its affected users, until stopped', async () => {
    const cache = new StatsCache();
    const bus = new InProcessChangeEventBus();
    const stop = cache.attach(bus);
    const compute = counted(() => 'x');
    await cache.get(alice('statistics'), compute);
    await cache.get(bob('statistics'), compute);
    await cache.get({ userId: 'carol', figure: 'statistics' }, compute);

    bus.publish(changeEvent(['alice', 'bob']));
    expect(cache.stats()).toMatchObject({ size: 1, invalidations: 2 });

    stop();
    expect(bus.listenerCount).toBe(0);
    await cache.get(alice('statistics'), compute);
    bus.publish(changeEvent(['alice']));
    expect(cache.stats().size).toBe(2);
  });

  it('close() detaches from buses and drops the figures; later lookups compute directly', async () => {
    const cache = new StatsCache();
    const bus = new InProcessChangeEventBus();
    cache.attach(bus);
    const compute = counted(() => 'x');
    await cache.get(alice('statistics'), compute);
    await cache.close();
    await cache.close();
    expect(bus.listenerCount).toBe(0);
    expect(cache.stats()).toMatchObject({ size: 0, redis: 'disabled' });
    expect(await cache.get(alice('statistics'), compute)).toBe('x');
    expect(await cache.get(alice('statistics'), compute)).toBe('x');
    expect(compute).toHaveBeenCalledTimes(3);
  });

  it.each([
    ['a time-to-live of zero', { ttlMs: 0 }, ['ttlMs']],
    ['a fractional max', { max: 1.5 }, ['max']],
    ['an http URL for Redis', { redis: { url: 'http://localhost:6379' } }, ['redis', 'url']],
    ['a logger without warn', { logger: {} }, ['logger']],
    ['an unknown option', { ttl: 5_000 }, []],
  ])('rejects %s with a VALIDATION error naming the option', (_, options, path) => {
    let caught: unknown;
    try {
      new StatsCache(options as never);
    } catch (error) {
      caught = error;
    }
    expect(isTaskpulseError(caught)).toBe(true);
    if (!isTaskpulseError(caught)) return;
    expect(caught.code).toBe('VALIDATION');
    expect(caught.issues.map((issue) => issue.path)).toContainEqual(path);
  });

  it('loads ioredis only when Redis is configured: no static import of it in core', async () => {
    const src = join(import.meta.dirname, '..');
    const files = (await readdir(src, { recursive: true })).filter(
      (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
    );
    for (const file of files) {
      const text = await readFile(join(src, file), 'utf8');
      const imports = text.match(/^import (?!type ).*from 'ioredis';$/gm) ?? [];
      expect(imports, file).toEqual([]);
    }
  });
});
