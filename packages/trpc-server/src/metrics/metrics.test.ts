import { describe, expect, it } from 'vitest';
import { captureLogs } from '../../test/logs.ts';
import { histogramCount, sampleValue } from '../../test/metrics.ts';
import { runInCallScope } from '../context/index.ts';
import { createTaskpulseMetrics } from './metrics.ts';

describe('createTaskpulseMetrics', () => {
  it('keeps two instances apart, each in a registry of its own', async () => {
    const one = createTaskpulseMetrics();
    const two = createTaskpulseMetrics();
    one.observeCall('me', 'ok', 12);
    one.observeCall('me', 'ok', 8);
    two.observeCall('me', 'UNAUTHORIZED', 1);
    const first = await one.render();
    const second = await two.render();
    expect(sampleValue(first, 'taskpulse_requests_total', { procedure: 'me', outcome: 'ok' })).toBe(
      2,
    );
    expect(
      sampleValue(second, 'taskpulse_requests_total', { procedure: 'me', outcome: 'ok' }),
    ).toBe(0);
    expect(
      histogramCount(first, 'taskpulse_request_duration_seconds', {
        procedure: 'me',
        outcome: 'ok',
      }),
    ).toBe(2);
    // prom-client's process metrics are there too, by default
    expect(first).toContain('process_cpu_user_seconds_total');
  });

  it('reads cache hits and misses when scraped', async () => {
    const metrics = createTaskpulseMetrics({ defaultMetrics: false });
    let hits = 3;
    metrics.observeCache(() => ({ hits, misses: 1 }), { name: 'stats' });
    expect(
      sampleValue(await metrics.render(), 'taskpulse_cache_hits_total', { cache: 'stats' }),
    ).toBe(3);
    hits = 10;
    const text = await metrics.render();
    expect(sampleValue(text, 'taskpulse_cache_hits_total', { cache: 'stats' })).toBe(10);
    expect(sampleValue(text, 'taskpulse_cache_misses_total', { cache: 'stats' })).toBe(1);
  });

  it('attributes queries to the procedure that ran them and logs slow ones with it', async () => {
    const fallback = captureLogs();
    const request = captureLogs();
    const metrics = createTaskpulseMetrics({
      defaultMetrics: false,
      slowQueryMs: 50,
      logger: fallback.logger,
    });
    runInCallScope({ procedure: 'tasks.list', logger: request.logger }, () => {
      metrics.observeQuery({ sql: 'select 1', durationMs: 2 });
      metrics.observeQuery({ sql: "select * from tasks where title = 'private'", durationMs: 120 });
    });
    metrics.observeQuery({ sql: 'vacuum', durationMs: 80 });

    const text = await metrics.render();
    expect(
      histogramCount(text, 'taskpulse_db_query_duration_seconds', { procedure: 'tasks.list' }),
    ).toBe(2);
    expect(sampleValue(text, 'taskpulse_db_slow_queries_total', { procedure: 'tasks.list' })).toBe(
      1,
    );
    expect(sampleValue(text, 'taskpulse_db_slow_queries_total', { procedure: '(none)' })).toBe(1);
    expect(request.lines).toEqual([
      expect.objectContaining({
        msg: 'slow query',
        procedure: 'tasks.list',
        durationMs: 120,
        sql: 'select * from tasks where title = ?',
      }),
    ]);
    expect(request.raw.join('')).not.toContain('private');
    expect(fallback.lines).toEqual([
      expect.objectContaining({ msg: 'slow query', procedure: '(none)' }),
    ]);
  });
});
