/**
 * A taskpulse API over real HTTP on 127.0.0.1 and a fresh PostgreSQL database, configured the
 * way a deployment would be (production mode: internal errors say nothing), for the suites of
 * this package. Options may be functions, read when the API opens (in `beforeAll`), so that
 * they can name proxies and servers that other hooks started first.
 */
import { createTaskpulse, type Taskpulse, type TaskpulseConfig } from '@taskpulse/core';
import {
  createTaskpulseServer,
  type TaskpulseAuthOptions,
  type TaskpulseRateLimitOptions,
  type TaskpulseServer,
} from '@taskpulse/trpc-server';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase } from '../../packages/core/test/databases.ts';
import { type CapturedLogs, captureLogs } from '../../packages/trpc-server/test/logs.ts';
import { signHs256, TEST_SECRET } from '../../packages/trpc-server/test/tokens.ts';

export { postgresAvailable } from '../../packages/core/test/databases.ts';

/** Budgets so large that a test's own traffic never meets them, while the limiter still counts. */
export const ROOMY_RATE_LIMIT: TaskpulseRateLimitOptions = {
  ip: { points: 10_000_000, durationSeconds: 60 },
  user: { points: 10_000_000, durationSeconds: 60 },
};

/** A value, or a function giving it once the API opens. */
type Later<T> = T | (() => T);
const now = <T>(value: Later<T>): T => (typeof value === 'function' ? (value as () => T)() : value);

export interface ApiOptions {
  /** @default ROOMY_RATE_LIMIT */
  rateLimit?: Later<TaskpulseRateLimitOptions | false>;
  /** Options of createTaskpulse beyond the database. */
  taskpulse?: Later<Partial<TaskpulseConfig>>;
  /** Reach the database through this URL instead (a TCP proxy in front of it). */
  databaseUrl?: (url: string) => Promise<string> | string;
  /** @default HS256 with TEST_SECRET */
  auth?: Later<TaskpulseAuthOptions>;
  /** The level of the captured logs. @default 'debug' */
  logLevel?: 'debug' | 'info' | 'warn';
}

export interface TestApi {
  readonly tp: Taskpulse;
  readonly server: TaskpulseServer;
  /** The server's base URL (without /trpc). */
  readonly url: string;
  readonly logs: CapturedLogs;
  /** The database's own URL (not a proxy's): for plain SQL beside the API. */
  readonly databaseUrl: string;
}

/** Opens the API in `beforeAll` and closes it, and drops its database, in `afterAll`. */
export function useApi(options: ApiOptions = {}): TestApi {
  let state: TestApi | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    const logs = captureLogs(options.logLevel ?? 'debug');
    const url = options.databaseUrl ? await options.databaseUrl(database.url) : database.url;
    const tp = await createTaskpulse({
      database: { url },
      migrate: true,
      ...now(options.taskpulse ?? {}),
    });
    const server = createTaskpulseServer({
      taskpulse: tp,
      auth: now(options.auth ?? { secret: TEST_SECRET }),
      logger: logs.logger,
      production: true,
      rateLimit: now(options.rateLimit ?? ROOMY_RATE_LIMIT),
    });
    const { url: base } = await server.listen(0, '127.0.0.1');
    state = { tp, server, url: base, logs, databaseUrl: database.url };
  });
  afterAll(async () => {
    await state?.server.close();
    await state?.tp.close();
    await drop?.();
  });
  const get = (): TestApi => {
    if (!state) throw new Error('the API is not open yet: use it inside a test or hook');
    return state;
  };
  return {
    get tp() {
      return get().tp;
    },
    get server() {
      return get().server;
    },
    get url() {
      return get().url;
    },
    get logs() {
      return get().logs;
    },
    get databaseUrl() {
      return get().databaseUrl;
    },
  };
}

/** An HS256 token for `sub` (name and email derived from it), valid for an hour. */
export function tokenFor(sub: string, claims: Record<string, unknown> = {}): Promise<string> {
  return signHs256({ sub, name: sub, email: `${sub}@example.com`, ...claims });
}
