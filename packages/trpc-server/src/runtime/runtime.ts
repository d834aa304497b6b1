import type { Taskpulse, TaskpulseContext, TaskpulseEntityManager } from '@taskpulse/core';
import { TaskpulseError } from '@taskpulse/core';
import type { TRPCDefaultErrorShape, TRPCError } from '@trpc/server';
import {
  type Authenticator,
  createAuthenticator,
  type TaskpulseAuthOptions,
} from '../auth/index.ts';
import {
  type AuthenticatedCaller,
  type TaskpulseRequestContext,
  type TaskpulseRequestInit,
  toHeaders,
} from '../context/index.ts';
import { formatTaskpulseError, type TaskpulseErrorShape, toTRPCError } from '../errors/index.ts';
import { IDEMPOTENCY_KEY_HEADER, parseIdempotencyKeyHeader } from '../idempotency/index.ts';
import {
  createDefaultLogger,
  createRequestRecord,
  type RequestRecord,
  requestIdFrom,
  type TaskpulseLogger,
} from '../logging/index.ts';
import { createTaskpulseMetrics, type TaskpulseMetrics } from '../metrics/index.ts';
import {
  createRateLimiter,
  type RateLimiter,
  type TaskpulseRateLimitOptions,
} from '../rate-limit/index.ts';
import { createLiveStreamSlots, type LiveStreamSlots } from './live-streams.ts';

/** Options of {@link createTaskpulseRuntime} (and of the servers built on it). */
export interface TaskpulseRuntimeOptions {
  /** The open taskpulse, from core's `createTaskpulse`. The runtime never closes it. */
  taskpulse: Taskpulse;
  /** How callers are authenticated. */
  auth: TaskpulseAuthOptions;
  /** Rate limits; `false` turns them off. @default 600 calls/min per IP, 300 per user, in memory */
  rateLimit?: TaskpulseRateLimitOptions | false;
  /** The metrics to record into. @default new metrics in a registry of their own */
  metrics?: TaskpulseMetrics;
  /** Where log lines go. @default a pino logger on stdout, level `TASKPULSE_LOG_LEVEL` or `info` */
  logger?: TaskpulseLogger;
  /**
   * Production mode: internal errors answer with a generic message. @default
   * `process.env.NODE_ENV === 'production'`
   */
  production?: boolean;
  /** How long `/health/ready` waits for the database before calling it down. @default 3000 */
  readyTimeoutMs?: number;
  /**
   * The most `dashboard.live` streams one user may hold open at once (on this runtime); the
   * next one is refused with `TOO_MANY_REQUESTS` until one ends. Each open stream holds a
   * subscription and a connection's worth of memory. @default 20
   */
  maxLiveStreamsPerUser?: number;
}

/**
 * What every taskpulse API is built on: the taskpulse instance, authentication, rate limits,
 * metrics and logs. One per API; the standalone router, the host-app router and the HTTP
 * handlers all take one.
 */
export interface TaskpulseRuntime {
  readonly taskpulse: Taskpulse;
  readonly metrics: TaskpulseMetrics;
  readonly logger: TaskpulseLogger;
  /** Whether internal errors are answered with a generic message. */
  readonly production: boolean;
  /**
   * The context of one HTTP request: call it once per request (in tRPC's `createContext`),
   * so that every call of a batch shares one entity manager and one authentication.
   *
   * @example
   * ```ts
   * createContext: ({ req, info }) => ({
   *   session: await getSession(req),
   *   taskpulse: runtime.createContext({ headers: req.headers, ip: req.socket.remoteAddress, info }),
   * })
   * ```
   */
  createContext(init: TaskpulseRequestInit): TaskpulseRequestContext;
  /** Formats an error the taskpulse way (see `formatTaskpulseError`), in this runtime's mode. */
  formatError(opts: { shape: TRPCDefaultErrorShape; error: TRPCError }): TaskpulseErrorShape;
  /** Whether the database answers within `readyTimeoutMs`. */
  isReady(): Promise<boolean>;
  /** Releases what the runtime opened (a Redis client made from a URL); not the taskpulse. */
  close(): Promise<void>;
}

interface RuntimeInternals {
  readonly limiter: RateLimiter;
  readonly authenticate: Authenticator;
  readonly liveStreams: LiveStreamSlots;
}

/** What taskpulse keeps of a request context, out of the public type. */
export interface RequestInternals {
  readonly runtime: TaskpulseRuntime;
  readonly limiter: RateLimiter;
  /** Filled by the calls; the HTTP layer (or each call, for a host app) logs it. */
  readonly record: RequestRecord;
  /** True when no taskpulse HTTP layer writes the request's line, so each call logs its own. */
  readonly logPerCall: boolean;
  /**
   * The keys of the request's `Idempotency-Key` header, one per call of a batch; undefined
   * without the header. Throws `BAD_REQUEST` for a malformed header.
   */
  idempotencyKeys(): readonly string[] | undefined;
}

const runtimes = new WeakMap<TaskpulseRuntime, RuntimeInternals>();

/** The bounded `dashboard.live` slots of a runtime made by {@link createTaskpulseRuntime}. */
export function liveStreamSlots(runtime: TaskpulseRuntime): LiveStreamSlots {
  const internals = runtimes.get(runtime);
  if (!internals) throw new Error('taskpulse: not a runtime made by createTaskpulseRuntime()');
  return internals.liveStreams;
}
const requests = new WeakMap<TaskpulseRequestContext, RequestInternals>();

/**
 * What taskpulse keeps of a request context; throws when the context was not made by
 * `runtime.createContext()` (a host app's `context` option returning something else).
 */
export function requestInternals(request: TaskpulseRequestContext): RequestInternals {
  const internals = requests.get(request);
  if (!internals) {
    throw new Error(
      'taskpulse: the request context must come from runtime.createContext() — check the `context` option of createTaskpulseHostRouter.',
    );
  }
  return internals;
}

/**
 * Opens the context of one request, with the record that the HTTP layer will log. Without a
 * record (a host app's own HTTP layer), each call logs a line of its own.
 */
export function openRequestContext(
  runtime: TaskpulseRuntime,
  init: TaskpulseRequestInit,
  record?: RequestRecord,
): TaskpulseRequestContext {
  const internals = runtimes.get(runtime);
  if (!internals) throw new Error('taskpulse: not a runtime made by createTaskpulseRuntime()');
  const { taskpulse } = runtime;
  const headers = toHeaders(init.headers);
  const requestId = init.requestId ?? requestIdFrom(headers.get('x-request-id'));
  const logger = runtime.logger.child({ requestId });
  // the entity manager is forked when a call first needs one: a call answered from the cache,
  // or by one read through the pool, never does
  let em: TaskpulseEntityManager | undefined;
  let core: TaskpulseContext | undefined;
  const ownRecord = record ?? createRequestRecord();
  const authRequest = {
    headers,
    connectionParams: init.info?.connectionParams ?? null,
    type: init.info?.type ?? 'unknown',
    ip: init.ip,
  } as const;
  let authenticated: Promise<AuthenticatedCaller> | undefined;
  const context: TaskpulseRequestContext = {
    requestId,
    ip: init.ip,
    logger,
    get em() {
      em ??= core?.em ?? taskpulse.fork();
      return em;
    },
    authenticate: () => {
      authenticated ??= (async () => {
        const claims = await internals.authenticate(authRequest);
        let user: AuthenticatedCaller['user'];
        try {
          user = await taskpulse.provisionUser(claims);
        } catch (error) {
          throw toTRPCError(error);
        }
        ownRecord.userId = user.id;
        const caller = { id: user.id };
        // one entity manager for every call of the request: the one forked already, or the
        // one the core context forks when it first needs it
        core = taskpulse.context(caller, em ? { em } : {});
        return { caller, user, taskpulse: core };
      })();
      return authenticated;
    },
  };
  let keys: { value?: readonly string[] | undefined; error?: unknown } | undefined;
  requests.set(context, {
    runtime,
    limiter: internals.limiter,
    record: ownRecord,
    logPerCall: record === undefined,
    idempotencyKeys: () => {
      if (!keys) {
        try {
          keys = {
            value: parseIdempotencyKeyHeader(headers.get(IDEMPOTENCY_KEY_HEADER), {
              isBatch: init.info?.isBatchCall ?? false,
              calls: init.info?.calls?.length,
            }),
          };
        } catch (error) {
          keys = { error };
        }
      }
      if ('error' in keys) throw keys.error;
      return keys.value;
    },
  });
  return context;
}

/**
 * Creates the runtime of a taskpulse API (see {@link TaskpulseRuntime}). Options are checked
 * at once: a bad auth or rate-limit option is a `VALIDATION` error naming it.
 *
 * @example
 * ```ts
 * const runtime = createTaskpulseRuntime({ taskpulse: tp, auth: { secret: process.env.TASKPULSE_JWT_SECRET! } });
 * ```
 */
export function createTaskpulseRuntime(options: TaskpulseRuntimeOptions): TaskpulseRuntime {
  const logger = options.logger ?? createDefaultLogger();
  const metrics = options.metrics ?? createTaskpulseMetrics({ logger });
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const readyTimeoutMs = options.readyTimeoutMs ?? 3_000;
  const maxLiveStreams = options.maxLiveStreamsPerUser ?? 20;
  if (!Number.isInteger(maxLiveStreams) || maxLiveStreams < 1) {
    throw new TaskpulseError(
      'VALIDATION',
      `Invalid option maxLiveStreamsPerUser: must be an integer >= 1, got ${maxLiveStreams}.`,
      { issues: [{ path: ['maxLiveStreamsPerUser'], message: 'must be an integer >= 1' }] },
    );
  }
  const liveStreams = createLiveStreamSlots(maxLiveStreams, (delta) =>
    metrics.observeLiveStreams(delta),
  );
  const authenticate = createAuthenticator(options.auth);
  const limiter = createRateLimiter(options.rateLimit, {
    logger,
    onLimited: (scope) => metrics.observeRateLimited(scope),
  });
  const { taskpulse } = options;
  // every statement is timed per procedure, and the statistics cache's counters are scraped
  const detachQueries = taskpulse.observeQueries(metrics.observeQuery);
  const { cache } = taskpulse;
  if (cache) metrics.observeCache(() => cache.stats(), { name: 'statistics' });

  const runtime: TaskpulseRuntime = {
    taskpulse,
    metrics,
    logger,
    production,
    createContext: (init) => openRequestContext(runtime, init),
    formatError: (opts) => formatTaskpulseError(opts, { production }),
    isReady: async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), readyTimeoutMs);
      });
      try {
        return await Promise.race([taskpulse.isHealthy().catch(() => false), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      detachQueries();
      await limiter.close();
    },
  };
  runtimes.set(runtime, { limiter, authenticate, liveStreams });
  return runtime;
}
