/** The parts of a bench run. */
export type BenchPart = 'statistics' | 'api' | 'mcp' | 'export' | 'writes';

/** What `pnpm bench` measures and where, read from the environment. */
export interface BenchConfig {
  /** The PostgreSQL database the bench seeds and reads; created when missing. */
  databaseUrl: string;
  /** Regular users, each with `tasksPerUser` tasks. */
  users: number;
  tasksPerUser: number;
  /** One heavy user per entry, with that many tasks created over the last `days` days. */
  heavyUsers: { tasks: number; days: number }[];
  /** Id prefix of the generated users. */
  prefix: string;
  /** Time budget of each measured function in each round, in milliseconds. */
  timeMs: number;
  /** Rounds: every function is measured once per round, in turn, so that all see the same machine. */
  rounds: number;
  /** Fewest calls of a function per round, however slow it is. */
  minIterations: number;
  /** Where RESULTS.md and results.json are written. */
  outDir: string;
  /**
   * Which parts run: `statistics` (part 1), `api` (cache and HTTP, part 2), `mcp` (MCP vs tRPC,
   * part 3), `export` (the heaviest user's data export, part 4), `writes` (the write cost of
   * the activity counters, part 5).
   */
  parts: BenchPart[];
  /** Tasks seeded by each side of the seedBulk comparison of part 5 (100 per user). */
  writeSeedTasks: number;
  /** Figures the API server's statistics cache keeps. */
  cacheMax: number;
  /** Seconds of each HTTP run, and how many rounds of each side-by-side pair. */
  httpSeconds: number;
  httpRounds: number;
  /** Seconds of the long load between the two memory readings. */
  loadSeconds: number;
  /** Concurrent HTTP connections. */
  connections: number;
  /** Identical concurrent calls on an empty cache. */
  concurrentMisses: number;
}

const positive = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a whole number, not "${value}"`);
  return n;
};

/**
 * The configuration from the environment: `BENCH_DATABASE_URL`, `BENCH_USERS`,
 * `BENCH_TASKS_PER_USER`, `BENCH_HEAVY` (comma-separated task counts, each optionally
 * `@<days>` they are spread over, 90 by default), `BENCH_TIME_MS`, `BENCH_ROUNDS`,
 * `BENCH_MIN_ITERATIONS`, `BENCH_OUT_DIR`, `BENCH_PARTS` (`statistics,api,mcp,export,writes`), `BENCH_CACHE_MAX`,
 * `BENCH_HTTP_SECONDS`, `BENCH_HTTP_ROUNDS`, `BENCH_LOAD_SECONDS`, `BENCH_CONNECTIONS`,
 * `BENCH_MISSES`, `BENCH_WRITE_SEED_TASKS`.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const heavy = env.BENCH_HEAVY ?? '100000,1000000,300000@730';
  return {
    databaseUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/taskpulse_bench',
    users: positive('BENCH_USERS', env.BENCH_USERS, 10_000),
    tasksPerUser: positive('BENCH_TASKS_PER_USER', env.BENCH_TASKS_PER_USER, 100),
    heavyUsers: heavy
      .split(',')
      .filter((part) => part.trim() !== '')
      .map((part) => {
        const [tasks, days] = part.trim().split('@');
        return {
          tasks: positive('BENCH_HEAVY', tasks, 0),
          days: Math.max(1, positive('BENCH_HEAVY days', days, 90)),
        };
      }),
    prefix: env.BENCH_PREFIX ?? 'bench',
    timeMs: positive('BENCH_TIME_MS', env.BENCH_TIME_MS, 400),
    rounds: Math.max(1, positive('BENCH_ROUNDS', env.BENCH_ROUNDS, 10)),
    minIterations: Math.max(1, positive('BENCH_MIN_ITERATIONS', env.BENCH_MIN_ITERATIONS, 2)),
    outDir: env.BENCH_OUT_DIR ?? new URL('..', import.meta.url).pathname,
    parts: (env.BENCH_PARTS ?? 'statistics,api,mcp,export,writes')
      .split(',')
      .map((part) => part.trim())
      .filter(
        (part): part is BenchPart =>
          part === 'statistics' ||
          part === 'api' ||
          part === 'mcp' ||
          part === 'export' ||
          part === 'writes',
      ),
    writeSeedTasks: Math.max(
      1_000,
      positive('BENCH_WRITE_SEED_TASKS', env.BENCH_WRITE_SEED_TASKS, 100_000),
    ),
    cacheMax: Math.max(1, positive('BENCH_CACHE_MAX', env.BENCH_CACHE_MAX, 10_000)),
    httpSeconds: Math.max(1, positive('BENCH_HTTP_SECONDS', env.BENCH_HTTP_SECONDS, 10)),
    httpRounds: Math.max(1, positive('BENCH_HTTP_ROUNDS', env.BENCH_HTTP_ROUNDS, 3)),
    loadSeconds: Math.max(1, positive('BENCH_LOAD_SECONDS', env.BENCH_LOAD_SECONDS, 60)),
    connections: Math.max(1, positive('BENCH_CONNECTIONS', env.BENCH_CONNECTIONS, 32)),
    concurrentMisses: Math.max(1, positive('BENCH_MISSES', env.BENCH_MISSES, 1_000)),
  };
}
