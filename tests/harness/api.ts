/**
 * A taskpulse API over real HTTP on 127.0.0.1 and a fresh PostgreSQL database, configured the
 * way a deployment would be (production mode: internal errors say nothing), for the suites of
 * this package. Built on trpc-server's own test harness.
 */
import type { TaskpulseConfig } from '@taskpulse/core';
import type { TaskpulseAuthOptions, TaskpulseRateLimitOptions } from '@taskpulse/trpc-server';
import { type TestApi, useTestApi } from '../../packages/trpc-server/test/api.ts';
import { signHs256, TEST_SECRET } from '../../packages/trpc-server/test/tokens.ts';

export { postgresAvailable } from '../../packages/trpc-server/test/api.ts';
export type { TestApi };

/** Budgets so large that a test's own traffic never meets them, while the limiter still counts. */
export const ROOMY_RATE_LIMIT: TaskpulseRateLimitOptions = {
  ip: { points: 10_000_000, durationSeconds: 60 },
  user: { points: 10_000_000, durationSeconds: 60 },
};

export interface ApiOptions {
  /** @default ROOMY_RATE_LIMIT */
  rateLimit?: TaskpulseRateLimitOptions | false;
  /** Options of createTaskpulse beyond the database. */
  taskpulse?: Partial<TaskpulseConfig>;
  /** Reach the database through this URL instead (a TCP proxy in front of it). */
  databaseUrl?: (url: string) => Promise<string> | string;
  /** Auth options, or a function giving them once the API opens. @default HS256 with TEST_SECRET */
  auth?: TaskpulseAuthOptions | (() => TaskpulseAuthOptions);
}

/** Opens the API in `beforeAll` and closes it in `afterAll`. */
export function useApi(options: ApiOptions = {}): TestApi {
  return useTestApi({
    ...(options.taskpulse ? { taskpulse: options.taskpulse } : {}),
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    server: (tp, logs) => ({
      taskpulse: tp,
      auth:
        typeof options.auth === 'function'
          ? options.auth()
          : (options.auth ?? { secret: TEST_SECRET }),
      logger: logs.logger,
      production: true,
      rateLimit: options.rateLimit ?? ROOMY_RATE_LIMIT,
    }),
  });
}

/** An HS256 token for `sub` (name and email derived from it), valid for an hour. */
export function tokenFor(sub: string, claims: Record<string, unknown> = {}): Promise<string> {
  return signHs256({ sub, name: sub, email: `${sub}@example.com`, ...claims });
}
