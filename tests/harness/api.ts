/**
 * A taskpulse API over real HTTP on 127.0.0.1 and a fresh PostgreSQL database, configured the
 * way a deployment would be (production mode: internal errors say nothing), for the suites of
 * this package. Options may be functions, read when the API opens (in `beforeAll`), so that
 * they can name proxies and servers that other hooks started first.
 */
import type { TaskpulseConfig } from '@taskpulse/core';
import type {
  TaskpulseAuthOptions,
  TaskpulseRateLimitOptions,
  TaskpulseRouteFactory,
} from '@taskpulse/trpc-server';
import { type TestApi, useTestApi } from '../../packages/trpc-server/test/api.ts';
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
  /** Routes beside the API, such as `@taskpulse/mcp`'s. @default none */
  routes?: readonly TaskpulseRouteFactory[];
}

export type { TestApi };

/** Opens the API in `beforeAll` and closes it, and drops its database, in `afterAll`. */
export function useApi(options: ApiOptions = {}): TestApi {
  return useTestApi({
    taskpulse: () => now(options.taskpulse ?? {}),
    databaseUrl: options.databaseUrl,
    logLevel: options.logLevel,
    server: (tp, logs) => ({
      taskpulse: tp,
      auth: now(options.auth ?? { secret: TEST_SECRET }),
      logger: logs.logger,
      production: true,
      rateLimit: now(options.rateLimit ?? ROOMY_RATE_LIMIT),
      routes: options.routes ?? [],
    }),
  });
}

/** An HS256 token for `sub` (name and verified email derived from it), valid for an hour. */
export function tokenFor(sub: string, claims: Record<string, unknown> = {}): Promise<string> {
  return signHs256({
    sub,
    name: sub,
    email: `${sub}@example.com`,
    email_verified: true,
    ...claims,
  });
}
