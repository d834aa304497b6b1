import { describe, expect, it } from 'vitest';
import { call, postgresAvailable, useTestApi } from '../../test/api.ts';
import { captureLogs } from '../../test/logs.ts';
import { histogramCount, sampleValue } from '../../test/metrics.ts';
import { signHs256, TEST_SECRET } from '../../test/tokens.ts';
import { createTaskpulseMetrics } from './metrics.ts';

describe.skipIf(!postgresAvailable)('database query metrics over HTTP [postgres]', () => {
  // every query counts as slow here, so that the slow-query path runs without a slow query
  const outsideCalls = captureLogs();
  const metrics = createTaskpulseMetrics({
    slowQueryMs: 0,
    defaultMetrics: false,
    logger: outsideCalls.logger,
  });
  // the runtime attaches metrics.observeQuery to the taskpulse itself
  const api = useTestApi({
    server: (tp, logs) => ({
      taskpulse: tp,
      auth: { secret: TEST_SECRET },
      logger: logs.logger,
      metrics,
    }),
  });

  it('times the queries of a call under its procedure and logs slow ones with the request id', async () => {
    const response = await call(api.url, 'me', {
      token: await signHs256({ sub: 'query-timer', name: 'Private Name' }),
      headers: { 'x-request-id': 'slow-1' },
    });
    expect(response.status).toBe(200);
    const text = await (await fetch(`${api.url}/metrics`)).text();
    // provisioning (insert) and getMe (select)
    expect(
      histogramCount(text, 'taskpulse_db_query_duration_seconds', { procedure: 'me' }),
    ).toBeGreaterThanOrEqual(2);
    // the statistics cache's counters are scraped too
    expect(text).toMatch(/taskpulse_cache_hits_total\{cache="statistics"\} \d+/);
    expect(
      sampleValue(text, 'taskpulse_db_slow_queries_total', { procedure: 'me' }),
    ).toBeGreaterThanOrEqual(2);
    const slow = api.logs.lines.filter(
      (line) => line.msg === 'slow query' && line.requestId === 'slow-1',
    );
    expect(slow.length).toBeGreaterThanOrEqual(2);
    expect(slow[0]).toMatchObject({ procedure: 'me', thresholdMs: 0 });
    expect(String(slow.map((line) => line.sql).join(' '))).toMatch(/users/);
    expect(api.logs.raw.join('\n')).not.toContain('Private Name');
    // a query outside any call is counted and logged under (none)
    await api.tp.fork().execute('select 1 as outside_any_call');
    expect(outsideCalls.lines.some((line) => line.procedure === '(none)')).toBe(true);
  });
});
