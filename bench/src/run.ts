import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { type ApiResults, runApiBench } from './api.ts';
import type { BenchConfig } from './config.ts';
import { type DataInfo, openBenchData } from './data.ts';
import { type ExportResults, runExportBench } from './export.ts';
import { type McpResults, runMcpBench } from './mcp.ts';
import { type Latency, type Measured, measure, pairedRatio } from './measure.ts';
import {
  ACTIVITY_STATISTICS,
  STATISTICS,
  type StatisticName,
  VARIANT_DESCRIPTIONS,
  VARIANTS,
  type VariantName,
  variantsOf,
} from './variants.ts';
import { runWriteBench, type WriteResults } from './writes.ts';

/** Memory of this process at one moment, in bytes. */
export interface MemorySample {
  at: string;
  heapUsed: number;
  heapTotal: number;
  rss: number;
}

/** One measured statistic × user × variant. */
export interface Row {
  statistic: StatisticName;
  user: string;
  userTasks: number;
  variant: VariantName;
  latency: Latency;
}

/** A target of issue 8 and where it stands. */
export interface Target {
  target: string;
  measured: string;
  met: boolean | null;
}

/** Everything one `pnpm bench` run measured; results.json holds it as is. */
export interface BenchResults {
  generatedAt: string;
  commit: string | null;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryBytes: number;
    node: string;
    postgres: string;
    platform: string;
  };
  config: Omit<BenchConfig, 'databaseUrl' | 'outDir'> & { database: string };
  data: DataInfo;
  variants: Record<VariantName, string>;
  rows: Row[];
  /** Whether every variant returned the same figures as core, per statistic and user. */
  agreement: { statistic: StatisticName; user: string; agree: boolean; detail?: string }[];
  memory: MemorySample[];
  /** Part 2: cached reads, concurrent misses, HTTP; null when not run. */
  api: ApiResults | null;
  /** Part 3: MCP tool calls beside the equivalent tRPC calls; null when not run. */
  mcp: McpResults | null;
  /** Part 4: the heaviest user's data export, streamed; null when not run. */
  export?: ExportResults | null;
  /** Part 5: what the activity counters cost writes; null when not run. */
  writes?: WriteResults | null;
  targets: Target[];
}

/** How a run reports what it does. */
export interface Reporter {
  seedProgress(done: number, total: number): void;
  step(step: { key: string; round: number; done: number; total: number }): void;
  log(message: string): void;
}

const memory = (at: string): MemorySample => {
  const { heapUsed, heapTotal, rss } = process.memoryUsage();
  return { at, heapUsed, heapTotal, rss };
};

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** Calls every variant once and checks that they agree with core (retrying once: time moves). */
async function checkAgreement(
  variants: Partial<Record<VariantName, () => Promise<unknown>>>,
): Promise<{ agree: boolean; detail?: string }> {
  let detail = '';
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const results = new Map<string, unknown>();
    for (const [name, run] of Object.entries(variants)) results.set(name, await run());
    const core = results.get('core');
    const differing = [...results].filter(([, value]) => !isDeepStrictEqual(value, core));
    if (differing.length === 0) return { agree: true };
    detail = `core ${JSON.stringify(core)}; ${differing.map(([name, value]) => `${name} ${JSON.stringify(value)}`).join('; ')}`;
  }
  return { agree: false, detail };
}

const ms = (value: number) =>
  value < 1 ? `${(value * 1000).toFixed(0)} µs` : `${value.toFixed(2)} ms`;

/** The targets of issue 8 that this run measures, and where each stands. */
function assessTargets(
  rows: Row[],
  data: DataInfo,
  api: ApiResults | null,
  mcp: McpResults | null,
  exported: ExportResults | null = null,
  writes: WriteResults | null = null,
): Target[] {
  const find = (statistic: StatisticName, user: string, variant: VariantName) =>
    rows.find((r) => r.statistic === statistic && r.user === user && r.variant === variant)
      ?.latency;
  const targets: Target[] = [];
  const users = data.benchUsers;
  for (const statistic of ['statistics', 'breakdown', 'shared'] as const) {
    for (const user of users) {
      const core = find(statistic, user.id, 'core');
      const floor = find(statistic, user.id, 'sql-counters');
      const prepared = find(statistic, user.id, 'sql-counters-prepared');
      const naive = find(statistic, user.id, 'orm-per-figure');
      if (core && floor) {
        const ratio = pairedRatio(core, floor);
        const vsPrepared = prepared
          ? `; ${pairedRatio(core, prepared).toFixed(2)}× of the same query prepared (${ms(prepared.p50)})`
          : '';
        targets.push({
          target: `${statistic} (${user.label}): core within 1.3× of the hand-written SQL floor (p50, paired by round)`,
          measured: `${ratio.toFixed(2)}× (${ms(core.p50)} vs ${ms(floor.p50)})${vsPrepared}`,
          met: ratio <= 1.3,
        });
      }
      if (core && naive) {
        const ratio = pairedRatio(naive, core);
        targets.push({
          target: `${statistic} (${user.label}): core ≥ 5× faster than one ORM count per figure (p50, paired by round)`,
          measured: `${ratio.toFixed(1)}× faster (${ms(naive.p50)} vs ${ms(core.p50)})`,
          met: ratio >= 5,
        });
      }
    }
    const small = users[0];
    const large = users.at(-1);
    if (small && large && small !== large) {
      const a = find(statistic, small.id, 'core');
      const b = find(statistic, large.id, 'core');
      if (a && b) {
        const ratio = pairedRatio(b, a);
        targets.push({
          target: `${statistic}: the ${large.label} user within 3× of the ${small.label} user (core, p50, paired by round)`,
          measured: `${ratio.toFixed(2)}× (${ms(b.p50)} vs ${ms(a.p50)}; p99 ${(b.p99 / a.p99).toFixed(2)}×)`,
          met: ratio <= 3,
        });
      }
    }
  }
  targets.push(...assessActivityTargets(rows, data));
  targets.push(...assessWriteTargets(writes));
  targets.push(...assessApiTargets(api));
  targets.push(...assessMcpTargets(mcp));
  targets.push(...assessExportTargets(exported));
  return targets;
}

/**
 * The targets of issue 14 for activity and trend: every heavier user within 3× of the
 * smallest (p50 and p99, core, uncached), and p50 under 5 ms; with the row count of before.
 */
function assessActivityTargets(rows: Row[], data: DataInfo): Target[] {
  const find = (statistic: StatisticName, user: string, variant: VariantName) =>
    rows.find((r) => r.statistic === statistic && r.user === user && r.variant === variant)
      ?.latency;
  const targets: Target[] = [];
  const [small, ...heavier] = data.benchUsers;
  if (!small) return targets;
  for (const statistic of ACTIVITY_STATISTICS) {
    const a = find(statistic, small.id, 'core');
    if (!a) continue;
    for (const user of heavier) {
      const b = find(statistic, user.id, 'core');
      if (!b) continue;
      const before = find(statistic, user.id, 'sql-count');
      const beforeSmall = find(statistic, small.id, 'sql-count');
      const ratio = pairedRatio(b, a);
      const p99 = b.p99 / a.p99;
      const was =
        before && beforeSmall
          ? `; counting rows: ${ms(before.p50)} vs ${ms(beforeSmall.p50)}, ${pairedRatio(before, beforeSmall).toFixed(1)}×`
          : '';
      targets.push({
        target: `${statistic}: the ${user.label} user within 3× of the ${small.label} user, p50 and p99 (core, paired by round)`,
        measured: `${ratio.toFixed(2)}× (${ms(b.p50)} vs ${ms(a.p50)}; p99 ${p99.toFixed(2)}×, ${ms(b.p99)} vs ${ms(a.p99)})${was}`,
        met: ratio <= 3 && p99 <= 3,
      });
    }
    for (const user of data.benchUsers) {
      const b = find(statistic, user.id, 'core');
      if (!b) continue;
      targets.push({
        target: `${statistic} (${user.label}): p50 under 5 ms uncached (core)`,
        measured: `${ms(b.p50)} p50, ${ms(b.p99)} p99`,
        met: b.p50 < 5,
      });
    }
  }
  return targets;
}

/** The write targets of issue 14: seedBulk at most 1.3×, a single create/complete 1.2×. */
function assessWriteTargets(writes: WriteResults | null): Target[] {
  const names = {
    seed: 'seedBulk with the activity counters within 1.3× of without (median of alternating rounds)',
    create:
      'one task created through core with the activity counters within 1.2× of without (p50, paired by round)',
    complete:
      'one task completed or reopened through core with the activity counters within 1.2× of without (p50, paired by round)',
  };
  if (!writes) {
    return Object.values(names).map((target) => ({
      target,
      measured: 'not run (BENCH_PARTS without writes)',
      met: null,
    }));
  }
  const secs = (values: number[]) => values.map((v) => `${v.toFixed(1)} s`).join(', ');
  return [
    {
      target: names.seed,
      measured: `${writes.seedRatio.toFixed(2)}× for ${writes.seedTasks.toLocaleString('en')} tasks (with: ${secs(writes.seedSeconds.with)}; without: ${secs(writes.seedSeconds.without)}; ${writes.activityRows.toLocaleString('en')} activity buckets)`,
      met: writes.seedRatio <= 1.3,
    },
    ...(['create', 'complete'] as const).map((name) => ({
      target: names[name],
      measured: `${writes[name].ratio.toFixed(2)}× (${ms(writes[name].with.p50)} vs ${ms(writes[name].without.p50)}; p99 ${ms(writes[name].with.p99)} vs ${ms(writes[name].without.p99)})`,
      met: writes[name].ratio <= 1.2,
    })),
  ];
}

/** The targets of issue 17: the heavy user's export is complete and streams in bounded memory. */
function assessExportTargets(exported: ExportResults | null): Target[] {
  const complete = 'Export of the heaviest user: every row SQL counts, by type';
  const bounded =
    'Export of the heaviest user in bounded memory: heap in use (after GC, every 20,000 records) at most 32 MB above the start';
  if (!exported) {
    return [complete, bounded].map((target) => ({
      target,
      measured: 'not run (BENCH_PARTS without export)',
      met: null,
    }));
  }
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  const equal = Object.entries(exported.sql).every(
    ([type, n]) => exported.records[type as keyof typeof exported.records] === n,
  );
  const total = Object.values(exported.records).reduce((a, b) => a + b, 0);
  return [
    {
      target: complete,
      measured: `${total.toLocaleString('en')} records (${Object.entries(exported.records)
        .filter(([, n]) => n > 0)
        .map(([type, n]) => `${type} ${n.toLocaleString('en')}`)
        .join(
          ', ',
        )}); SQL ${equal ? 'agrees on every type' : `counts ${JSON.stringify(exported.sql)}`}`,
      met: equal,
    },
    {
      target: bounded,
      measured: `heap ${mb(exported.before.heapUsed)} before, ${exported.retainedPeak === null ? 'no GC readings (run without --expose-gc)' : `at most ${mb(exported.retainedPeak)} in use after GC`}, sampled peak ${mb(exported.peak.heapUsed)} (garbage included), ${mb(exported.after.heapUsed)} after; RSS ${mb(exported.before.rss)} → peak ${mb(exported.peak.rss)} → ${mb(exported.after.rss)}; ${Math.round(exported.recordsPerSecond).toLocaleString('en')} records/s, ${mb(exported.bytes)} of NDJSON in ${exported.seconds.toFixed(1)} s`,
      met:
        exported.retainedPeak === null
          ? null
          : exported.retainedPeak - exported.before.heapUsed <= 32 * 2 ** 20,
    },
  ];
}

/** The target of issue 13: a tool call costs at most 1.3× the equivalent tRPC call. */
function assessMcpTargets(mcp: McpResults | null): Target[] {
  const target = (name: string) =>
    `MCP ${name} over HTTP within 1.3× of the equivalent tRPC call (p50, paired by round)`;
  if (!mcp) {
    return ['find tasks', 'dashboard'].map((name) => ({
      target: target(name),
      measured: 'not run (BENCH_PARTS without mcp)',
      met: null,
    }));
  }
  return mcp.pairs.map((pair) => {
    const rps = (runs: { requestsPerSecond: number }[]) =>
      Math.round(mean(runs.map((r) => r.requestsPerSecond))).toLocaleString('en');
    const p99 = (runs: { p99: number }[]) => Math.max(...runs.map((r) => r.p99));
    return {
      target: target(pair.name),
      measured: `${pair.latency.ratio.toFixed(2)}× (${ms(pair.latency.mcp.p50)} vs ${ms(pair.latency.trpc.p50)}; p99 ${ms(pair.latency.mcp.p99)} vs ${ms(pair.latency.trpc.p99)}); under load ${rps(pair.load.mcp)} vs ${rps(pair.load.trpc)} req/s, p99 ${p99(pair.load.mcp)} vs ${p99(pair.load.trpc)} ms`,
      met: pair.latency.ratio <= 1.3,
    };
  });
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** The targets of part 2 (cache and HTTP). */
function assessApiTargets(api: ApiResults | null): Target[] {
  if (!api) {
    return [
      'Cached read through core: p50 under 20 µs',
      'Cached dashboard.statistics over HTTP: ≥ 80 % of the no-op query’s requests/s and ≥ 5,000 requests/s',
      'No errors under the mixed read/write load',
      '1,000 concurrent identical cache misses → 1 database query',
      'Memory bounded across the long load: the cache never holds more than its maximum (heap and RSS reported)',
    ].map((target) => ({ target, measured: 'not run (BENCH_PARTS without api)', met: null }));
  }
  const runs = (scenario: string) => api.http.filter((r) => r.scenario === scenario);
  const rps = (scenario: string) => mean(runs(scenario).map((r) => r.requestsPerSecond));
  const noop = rps('noop');
  const cached = rps('statistics, cached');
  const cachedRuns = runs('statistics, cached');
  const p99 = Math.max(...cachedRuns.map((r) => r.p99));
  const mixed = runs('mixed read/write');
  const mixedErrors = mixed.reduce((sum, r) => sum + r.errors + r.timeouts + r.non2xx, 0);
  const mixedTotal = mixed.reduce((sum, r) => sum + r.total, 0);
  const samples = api.memory.samples;
  const before = samples[0];
  const after = samples.at(-1);
  const firstStretch = samples[1];
  const cacheBounded = samples.every(
    (m) => m.cacheSize !== null && m.cacheSize <= api.memory.cacheMax,
  );

  return [
    {
      target: 'Cached read through core: p50 under 20 µs',
      measured: `${ms(api.cachedCore.p50)} p50, ${ms(api.cachedCore.p99)} p99 with a new context per call (${ms(api.cachedCoreSameContext.p50)} p50 reusing one)`,
      met: api.cachedCore.p50 < 0.02,
    },
    {
      target: 'Cached dashboard.statistics over HTTP: ≥ 80 % of the no-op query’s requests/s',
      measured: `${((cached / noop) * 100).toFixed(0)} % (${Math.round(cached).toLocaleString('en')} vs ${Math.round(noop).toLocaleString('en')} req/s, same server and auth)`,
      met: cached >= 0.8 * noop,
    },
    {
      target:
        'Cached dashboard.statistics over HTTP: ≥ 5,000 requests/s on this machine (p99 reported)',
      measured: `${Math.round(cached).toLocaleString('en')} req/s, p99 ${p99.toFixed(1)} ms`,
      met: cached >= 5_000,
    },
    {
      target: 'No errors under the mixed read/write load',
      measured: `${mixedErrors} errors, timeouts or non-2xx answers in ${mixedTotal.toLocaleString('en')} requests`,
      met: mixedTotal > 0 && mixedErrors === 0,
    },
    {
      target: `${api.misses.concurrent.toLocaleString('en')} concurrent identical cache misses → 1 database query`,
      measured: `${api.misses.queries} quer${api.misses.queries === 1 ? 'y' : 'ies'} (cache: ${api.misses.misses} miss, ${api.misses.coalesced} coalesced, ${api.misses.computes} compute)`,
      met: api.misses.queries === 1,
    },
    {
      target:
        'Memory bounded across the long load: the cache never holds more than its maximum (heap and RSS reported)',
      measured:
        before && after && firstStretch
          ? `after ${api.memory.loadSeconds} s: ${after.cacheSize?.toLocaleString('en')} figures cached (max ${api.memory.cacheMax.toLocaleString('en')}, ${after.cacheEvictions?.toLocaleString('en')} evicted); heap used ${mb(before.heapUsed)} before, ${mb(firstStretch.heapUsed)} after the first third, ${mb(after.heapUsed)} at the end; RSS ${mb(before.rss)} → ${mb(after.rss)}`
          : 'no reading',
      met: cacheBounded,
    },
  ];
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/**
 * One bench run: opens (and seeds when needed) the database, measures every statistic for
 * every bench user with every variant side by side, and returns the results.
 */
export async function runBench(config: BenchConfig, reporter: Reporter): Promise<BenchResults> {
  const { databaseUrl: _url, outDir: _out, ...settings } = config;
  const samples: MemorySample[] = [memory('start')];
  reporter.log(
    `database ${new URL(config.databaseUrl).pathname.slice(1)}: opening, seeding if needed`,
  );
  const { tp, data } = await openBenchData(config, (done, total) =>
    reporter.seedProgress(done, total),
  );
  samples.push(memory(data.seeded ? 'after seeding' : 'after opening'));
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    const [{ server_version: postgres } = { server_version: '?' }] = (
      await client.query<{ server_version: string }>('show server_version')
    ).rows;
    const functions: Measured[] = [];
    const index = new Map<string, Omit<Row, 'latency'>>();
    const agreement: BenchResults['agreement'] = [];
    let rows: Row[] = [];
    if (config.parts.includes('statistics')) {
      for (const statistic of STATISTICS) {
        for (const user of data.benchUsers) {
          const variants = variantsOf(tp, client, statistic, user.id);
          agreement.push({ statistic, user: user.id, ...(await checkAgreement(variants)) });
          for (const variant of VARIANTS) {
            const run = variants[variant];
            if (!run) continue;
            const key = `${statistic} · ${user.label} · ${variant}`;
            functions.push({ key, run });
            index.set(key, { statistic, user: user.id, userTasks: user.tasks, variant });
          }
        }
      }
      const disagreeing = agreement.filter((a) => !a.agree);
      if (disagreeing.length > 0) {
        reporter.log(`WARNING: variants disagree: ${JSON.stringify(disagreeing)}`);
      }
      const latencies = await measure(functions, {
        timeMs: config.timeMs,
        rounds: config.rounds,
        minIterations: config.minIterations,
        onStep: (step) => reporter.step(step),
      });
      samples.push(memory('after the statistics benchmarks'));
      rows = [...index].map(([key, row]) => ({ ...row, latency: latencies.get(key)! }));
    }
    let api: ApiResults | null = null;
    if (config.parts.includes('api')) {
      const small = data.benchUsers[0]?.id ?? `${config.prefix}-1`;
      const all = Array.from({ length: config.users }, (_, i) => `${config.prefix}-${i + 1}`);
      api = await runApiBench(config, tp, { small, all: all.length > 0 ? all : [small] }, reporter);
      samples.push(memory('after the cache and HTTP benchmarks'));
    }
    let mcp: McpResults | null = null;
    if (config.parts.includes('mcp')) {
      const small = data.benchUsers[0]?.id ?? `${config.prefix}-1`;
      mcp = await runMcpBench(config, small, reporter);
      samples.push(memory('after the MCP benchmarks'));
    }
    let exported: ExportResults | null = null;
    if (config.parts.includes('export')) {
      // the heaviest user: the one a constant-memory stream is for
      const heaviest = [...data.benchUsers].sort((a, b) => b.tasks - a.tasks)[0];
      if (heaviest) {
        reporter.log(`export: streaming ${heaviest.id}'s data (${heaviest.label})`);
        exported = await runExportBench(tp, client, heaviest, reporter);
        samples.push(memory('after the export benchmark'));
      }
    }
    let writes: WriteResults | null = null;
    if (config.parts.includes('writes')) {
      writes = await runWriteBench(config, (message) => reporter.log(message));
      samples.push(memory('after the write benchmarks'));
    }
    const cpus = os.cpus();
    return {
      generatedAt: new Date().toISOString(),
      commit: gitCommit(),
      machine: {
        cpus: os.availableParallelism(),
        cpuModel: cpus[0]?.model ?? 'unknown',
        memoryBytes: os.totalmem(),
        node: process.version,
        postgres,
        platform: `${os.type()} ${os.release()} ${os.arch()}`,
      },
      config: {
        ...settings,
        database: new URL(config.databaseUrl).pathname.slice(1),
      },
      data,
      variants: VARIANT_DESCRIPTIONS,
      rows,
      agreement,
      memory: samples,
      api,
      mcp,
      export: exported,
      writes,
      targets: assessTargets(rows, data, api, mcp, exported, writes),
    };
  } finally {
    await client.end();
    await tp.close();
  }
}
