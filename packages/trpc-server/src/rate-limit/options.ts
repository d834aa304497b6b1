/** One budget: `points` calls per `durationSeconds`, counted per key (an IP, a user). */
export interface RateLimitBudget {
  /** Calls allowed per window. */
  points: number;
  /** Length of the window, in seconds. */
  durationSeconds: number;
}

/**
 * An ioredis client (`new Redis(...)` from the `ioredis` package). Only what taskpulse relies on
 * is spelled out, so that the types do not require ioredis where it is not used.
 */
export interface RedisClientLike {
  /** ioredis' connection status, `ready` when commands can be sent. */
  readonly status: string;
}

/** Where the counters of a shared limiter live. */
export type RateLimitRedisOption =
  /** A client the app owns (and closes); a `lazyConnect` one is connected at once. */
  | { client: RedisClientLike }
  /** A `redis://` URL: taskpulse opens the client (ioredis must be installed) and closes it on `close()`. */
  | { url: string };

/**
 * Rate limits. Every call is counted against its client IP before authentication (when the IP
 * is known), and every authenticated call against its user. A call over either budget is
 * refused with `TOO_MANY_REQUESTS`, `data.retryAfterMs` and a `Retry-After` header.
 *
 * Counters live in memory by default: each process counts on its own. With `redis`, every
 * instance shares one count. **When Redis cannot be reached**, each instance falls back to its
 * own in-memory counters with the same budgets (rate-limiter-flexible's insurance limiter), so
 * calls are still limited, per instance, and nothing fails or waits because of Redis (a count
 * that Redis has not answered within a second is taken in memory); it switches back by itself
 * once Redis answers again.
 */
export interface TaskpulseRateLimitOptions {
  /** Per client IP, before authentication; `false` turns it off. @default { points: 600, durationSeconds: 60 } */
  ip?: RateLimitBudget | false;
  /** Per authenticated user; `false` turns it off. @default { points: 300, durationSeconds: 60 } */
  user?: RateLimitBudget | false;
  /** Share the counters between instances through Redis. @default in memory, per process */
  redis?: RateLimitRedisOption;
  /** Prefix of the keys in Redis. @default 'taskpulse:rate-limit' */
  keyPrefix?: string;
}

/** The default per-IP budget. */
export const DEFAULT_IP_BUDGET: RateLimitBudget = { points: 600, durationSeconds: 60 };
/** The default per-user budget. */
export const DEFAULT_USER_BUDGET: RateLimitBudget = { points: 300, durationSeconds: 60 };
