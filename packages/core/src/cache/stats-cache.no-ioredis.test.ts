import { expect, it, vi } from 'vitest';
import { StatsCache } from './index.ts';

// ioredis is an optional peer dependency: here it is "not installed"
vi.mock('ioredis', () => {
  throw new Error("Cannot find package 'ioredis'");
});

it('without ioredis installed, a cache configured with Redis warns once and caches in-process', async () => {
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const cache = new StatsCache({ redis: { url: 'redis://127.0.0.1:6379' }, logger });
  const compute = vi.fn(async () => 'x');
  const key = { userId: 'alice', figure: 'statistics' };
  expect(await cache.get(key, compute)).toBe('x');
  expect(await cache.get(key, compute)).toBe('x');
  await cache.invalidateUsers(['alice']);
  expect(await cache.get(key, compute)).toBe('x');
  expect(compute).toHaveBeenCalledTimes(2);
  expect(logger.warn).toHaveBeenCalledOnce();
  expect(logger.warn).toHaveBeenCalledWith(
    { error: expect.any(String) },
    expect.stringContaining('install ioredis'),
  );
  expect(cache.stats().redis).toBe('down');
  await cache.close();
});
