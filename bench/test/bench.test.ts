/**
 * A smoke run of `pnpm bench` on tiny data (a fresh database of its own): every statistic,
 * user and variant is measured, the variants agree, and RESULTS.md and results.json are
 * written. The real benchmark is `pnpm bench`, never part of `pnpm test`.
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchPart, readConfig } from '../src/config.ts';
import { writeResults } from '../src/report.ts';
import { runBench } from '../src/run.ts';
import { STATISTICS } from '../src/variants.ts';

const server =
  process.env.TASKPULSE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: server, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch {
    if (process.env.TASKPULSE_REQUIRE_POSTGRES === '1')
      throw new Error(`PostgreSQL at ${server} is required`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const available = await reachable();

describe.skipIf(!available)('pnpm bench, smoke run on tiny data [postgres]', () => {
  const name = `taskpulse_bench_smoke_${randomBytes(6).toString('hex')}`;
  const url = new URL(server);
  url.pathname = `/${name}`;
  let outDir = '';

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'taskpulse-bench-'));
  });
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it('seeds, measures every statistic side by side and writes RESULTS.md and results.json', async () => {
    const config = {
      ...readConfig({}),
      databaseUrl: url.toString(),
      users: 6,
      tasksPerUser: 5,
      heavyUsers: [
        { tasks: 40, days: 90 },
        { tasks: 80, days: 730 },
      ],
      timeMs: 5,
      rounds: 2,
      minIterations: 2,
      outDir,
      parts: ['statistics', 'api', 'mcp', 'export', 'writes'] as BenchPart[],
      writeSeedTasks: 1_000,
      cacheMax: 5,
      httpSeconds: 1,
      httpRounds: 1,
      loadSeconds: 2,
      connections: 4,
      concurrentMisses: 50,
    };
    const progress: number[] = [];
    const quiet = {
      log: () => {},
      seedProgress: (done: number) => progress.push(done),
      step: () => {},
    };
    const results = await runBench(config, quiet);
    expect(results.data.seeded).toBe(true);
    expect(progress.at(-1)).toBe(6 * 5 + 40 + 80);
    expect(results.data.tasks).toBe(150);
    expect(results.data.benchUsers.map((u) => u.tasks)).toEqual([5, 40, 80]);
    expect(results.agreement.filter((a) => !a.agree)).toEqual([]);
    for (const statistic of STATISTICS) {
      for (const user of results.data.benchUsers) {
        const core = results.rows.find(
          (r) => r.statistic === statistic && r.user === user.id && r.variant === 'core',
        );
        expect(core?.latency.samples).toBeGreaterThanOrEqual(4);
        expect(core?.latency.p99).toBeGreaterThanOrEqual(core?.latency.p50 ?? Number.NaN);
      }
    }
    expect(results.targets.filter((t) => t.met !== null).length).toBeGreaterThanOrEqual(9 * 2 + 6);

    // part 4: the heaviest user's export, every row, against SQL
    const exported = results.export!;
    expect(exported.user).toBe(results.data.benchUsers[2]?.id);
    expect(exported.records.task).toBe(80);
    expect(exported.records.user).toBe(1);
    expect(exported.records).toEqual(exported.sql);
    expect(exported.bytes).toBeGreaterThan(0);

    // part 2: cached reads, one query for concurrent misses, HTTP without errors, a bounded cache
    const api = results.api!;
    expect(api.cachedCore.samples).toBeGreaterThan(0);
    expect(api.misses.queries).toBe(1);
    expect(api.http.map((r) => r.scenario)).toEqual([
      'noop',
      'statistics, cached',
      'statistics, cached, eager fork',
      'mixed read/write',
      'noop (server without cache)',
      'statistics, uncached',
    ]);
    for (const run of api.http) {
      expect([run.scenario, run.total > 0, run.errors + run.timeouts + run.non2xx]).toEqual([
        run.scenario,
        true,
        0,
      ]);
    }
    expect(api.memory.samples.map((m) => m.cacheSize! <= 5)).toEqual([true, true, true, true]);
    expect(api.memory.load?.non2xx).toBe(0);

    // part 3: MCP tool calls beside tRPC calls, all answered with data
    const mcp = results.mcp!;
    expect(mcp.pairs.map((pair) => pair.name)).toEqual([
      'find tasks',
      'dashboard, statistics',
      'dashboard, every figure',
    ]);
    for (const pair of mcp.pairs) {
      expect(Number.isFinite(pair.latency.ratio)).toBe(true);
      for (const run of [...pair.load.trpc, ...pair.load.mcp]) {
        expect([run.scenario, run.total > 0, run.errors + run.timeouts + run.non2xx]).toEqual([
          run.scenario,
          true,
          0,
        ]);
      }
    }
    expect(
      results.targets.filter((t) => t.target.startsWith('MCP ')).map((t) => t.met !== null),
    ).toEqual([true, true, true]);

    // part 4: seedBulk and single writes with and without the activity counters, side by side
    const writes = results.writes!;
    expect(writes.seedSeconds.with).toHaveLength(2);
    expect(writes.seedSeconds.without).toHaveLength(2);
    expect(writes.activityRows).toBeGreaterThan(0);
    for (const pair of [writes.create, writes.complete]) {
      expect(Number.isFinite(pair.ratio)).toBe(true);
      expect(pair.with.samples).toBeGreaterThanOrEqual(4);
    }
    // issue 14: activity and trend (two zones, 30 and 366 days) for every heavier user
    expect(
      results.targets.filter((t) => /^(activity|trend).*within 3×/.test(t.target)).length,
    ).toBe(6 * 2);

    // a second run finds the data and does not seed again
    const again = await runBench({ ...config, rounds: 1, parts: ['statistics'] }, quiet);
    expect(again.data.seeded).toBe(false);

    const [markdown, json] = await writeResults(outDir, results);
    const text = await readFile(markdown!, 'utf8');
    expect(text).toContain('## Targets of issue 8');
    expect(text).toContain('## Flat in the user’s size');
    expect(text).toContain('## The API over HTTP (autocannon)');
    expect(text).toContain('## MCP tool calls beside tRPC calls, over HTTP');
    expect(text).toContain('## What the activity counters cost writes');
    expect(text).toContain(
      '### activity and trend: counting rows (before) and the activity counters (now)',
    );
    expect(JSON.parse(await readFile(json!, 'utf8')).rows).toHaveLength(results.rows.length);
  }, 240_000);
});
