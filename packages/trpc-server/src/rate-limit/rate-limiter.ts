import { TaskpulseError } from '@taskpulse/core';
import { TRPCError } from '@trpc/server';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { RateLimitedError, type RateLimitScope } from '../errors/index.ts';
import type { TaskpulseLogger } from '../logging/index.ts';
import {
  DEFAULT_IP_BUDGET,
  DEFAULT_USER_BUDGET,
  type RateLimitBudget,
  type RedisClientLike,
  type TaskpulseRateLimitOptions,
} from './options.ts';

/** Counts calls and refuses those over budget. */
export interface RateLimiter {
  /**
   * Counts one call for `key` in `scope`; throws a `TOO_MANY_REQUESTS` TRPCError (its cause a
   * {@link RateLimitedError}) when the budget is spent.
   */
  consume(scope: RateLimitScope, key: string): Promise<void>;
  /** Closes what the limiter opened (a Redis client made from a URL). */
  close(): Promise<void>;
}

interface Dependencies {
  logger: TaskpulseLogger;
  onLimited: (scope: RateLimitScope) => void;
}

function checkBudget(name: string, budget: RateLimitBudget): void {
  for (const field of ['points', 'durationSeconds'] as const) {
    const value = budget[field];
    if (!Number.isInteger(value) || value < 1) {
      throw new TaskpulseError(
        'VALIDATION',
        `Invalid rate limit: ${name}.${field} must be a whole number of at least 1.`,
        { issues: [{ path: ['rateLimit', name, field], message: 'must be an integer >= 1' }] },
      );
    }
  }
}

interface OwnedRedisClient extends RedisClientLike {
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

async function openRedis(url: string): Promise<OwnedRedisClient> {
  const { Redis } = await import('ioredis').catch((cause: unknown) => {
    throw new TaskpulseError(
      'VALIDATION',
      'rateLimit.redis.url needs the ioredis package: add it to your dependencies (pnpm add ioredis).',
      { cause },
    );
  });
  // commands fail at once while disconnected, so that the in-memory insurance takes over, and
  // one in flight when the connection drops fails after a second instead of waiting for Redis
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: STORE_DEADLINE_MS,
    autoResendUnfulfilledCommands: false,
  });
}

interface ConnectableClient extends RedisClientLike {
  connect?: () => Promise<unknown>;
  once?: (event: 'ready', listener: () => void) => unknown;
}

/**
 * Waits, at start only, until the client is connected (at most `READY_WAIT_MS`), so that the
 * first calls are counted in Redis rather than in the in-memory fallback.
 */
async function untilReady(client: ConnectableClient): Promise<void> {
  if (client.status === 'ready' || typeof client.once !== 'function') return;
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    client.once?.('ready', resolve);
    timer = setTimeout(resolve, READY_WAIT_MS);
  });
  clearTimeout(timer);
}

const READY_WAIT_MS = 2_000;

/**
 * How long a call waits for Redis to count it. A command sent just before the connection drops
 * is kept by ioredis until Redis is back; past this, the call is counted in memory instead.
 */
const STORE_DEADLINE_MS = 1_000;

/** The counters of one scope: shared through Redis when configured, and in this process. */
interface ScopeLimiter {
  readonly shared: RateLimiterAbstract | undefined;
  readonly memory: RateLimiterMemory;
}

class StoreTooSlow extends Error {}

/** `promise`, or a {@link StoreTooSlow} rejection after `ms`; a late outcome is ignored. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTooSlow(`no answer within ${ms} ms`)), ms);
  });
  promise.catch(() => {});
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Creates the rate limiter described by `options` (see {@link TaskpulseRateLimitOptions}), or
 * one that lets everything through when `options` is `false`.
 */
export function createRateLimiter(
  options: TaskpulseRateLimitOptions | false | undefined,
  { logger, onLimited }: Dependencies,
): RateLimiter {
  if (options === false) return { consume: async () => {}, close: async () => {} };
  const budgets: Record<RateLimitScope, RateLimitBudget | false> = {
    ip: options?.ip ?? DEFAULT_IP_BUDGET,
    user: options?.user ?? DEFAULT_USER_BUDGET,
  };
  for (const scope of ['ip', 'user'] as const) {
    const budget = budgets[scope];
    if (budget) checkBudget(scope, budget);
  }
  const keyPrefix = options?.keyPrefix ?? 'taskpulse:rate-limit';
  const redisOption = options?.redis;
  let ownedClient: OwnedRedisClient | undefined;
  let setupFailureLogged = false;

  const build = (client: RedisClientLike | undefined) => {
    const limiters = new Map<RateLimitScope, ScopeLimiter>();
    for (const scope of ['ip', 'user'] as const) {
      const budget = budgets[scope];
      if (!budget) continue;
      const base = {
        points: budget.points,
        duration: budget.durationSeconds,
        keyPrefix: `${keyPrefix}:${scope}`,
      };
      const memory = new RateLimiterMemory(base);
      limiters.set(scope, {
        memory,
        shared: client
          ? new RateLimiterRedis({
              ...base,
              storeClient: client,
              // while Redis is not connected, go straight to the in-memory counters
              rejectIfRedisNotReady: true,
              insuranceLimiter: memory,
            })
          : undefined,
      });
    }
    return limiters;
  };
  let limiters: Promise<Map<RateLimitScope, ScopeLimiter>>;
  if (redisOption && 'url' in redisOption) {
    limiters = openRedis(redisOption.url).then(async (client) => {
      ownedClient = client;
      // ioredis reports connection errors as events; without a listener they would crash
      client.on('error', (error) => logger.debug({ err: error }, 'rate limit store unreachable'));
      await untilReady(client);
      return build(client);
    });
    // surfaced on first use, not as an unhandled rejection
    limiters.catch(() => {});
  } else if (redisOption) {
    const client = redisOption.client as ConnectableClient;
    // a lazyConnect client would never connect: commands are not sent while it is not ready
    if (client.status === 'wait' && typeof client.connect === 'function') {
      client
        .connect()
        .catch((error: unknown) => logger.debug({ err: error }, 'rate limit store unreachable'));
    }
    limiters = untilReady(client).then(() => build(client));
  } else {
    limiters = Promise.resolve(build(undefined));
  }

  return {
    consume: async (scope, key) => {
      let limiter: ScopeLimiter | undefined;
      try {
        limiter = (await limiters).get(scope);
      } catch (error) {
        // the store could not be set up (ioredis missing): say so once, and let calls through
        if (!setupFailureLogged) logger.error({ err: error }, 'rate limiter could not start');
        setupFailureLogged = true;
        return;
      }
      if (!limiter) return;
      const refuse = (rejection: unknown): void => {
        if (rejection instanceof RateLimiterRes) {
          onLimited(scope);
          const cause = new RateLimitedError(scope, rejection.msBeforeNext);
          throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: cause.message, cause });
        }
        // neither Redis nor its insurance could count: let the call through rather than fail it
        logger.warn({ err: rejection, scope }, 'rate limiter failed; call let through');
      };
      if (!limiter.shared) {
        await limiter.memory.consume(key).catch(refuse);
        return;
      }
      try {
        await withDeadline(limiter.shared.consume(key), STORE_DEADLINE_MS);
      } catch (rejection) {
        if (!(rejection instanceof StoreTooSlow)) {
          refuse(rejection);
          return;
        }
        // a command sent just before Redis went away waits for it to come back: count here
        logger.debug({ scope }, 'rate limit store too slow; counted in memory');
        await limiter.memory.consume(key).catch(refuse);
      }
    },
    close: async () => {
      await limiters.catch(() => undefined);
      // quit() fails at once while disconnected; then stop reconnecting for good
      await ownedClient?.quit().catch(() => ownedClient?.disconnect());
    },
  };
}
