import type { Caller, TaskpulseContext, UserDto } from '@taskpulse/core';
import type {
  AnyTRPCProcedure,
  AnyTRPCRootTypes,
  TRPCError,
  TRPCProcedureBuilder,
  TRPCRouterBuilder,
  TRPCUnsetMarker,
} from '@trpc/server';
import { runInCallScope, type TaskpulseRequestContext } from '../context/index.ts';
import { type TaskpulseErrorShape, toTRPCError } from '../errors/index.ts';
import { idempotencyKeyOfCall } from '../idempotency/index.ts';
import type { TaskpulseLogger } from '../logging/index.ts';
import { requestInternals, type TaskpulseRuntime } from '../runtime/index.ts';

/** What every taskpulse procedure finds in `ctx`. */
export interface TaskpulsePublicContext {
  /** The request's id (also in the `x-request-id` response header and every log line). */
  readonly requestId: string;
  /** The client's IP address, when known. */
  readonly ip: string | undefined;
  /** A logger that stamps every line with the request id. */
  readonly logger: TaskpulseLogger;
}

/** What an authenticated procedure finds in `ctx`, besides {@link TaskpulsePublicContext}. */
export interface TaskpulseAuthedContext extends TaskpulsePublicContext {
  /** The core context of the request (one entity manager per request): pass it to core. */
  readonly taskpulse: TaskpulseContext;
  /** The calling user. */
  readonly caller: Caller;
  /** The calling user's row, as provisioned from the token. */
  readonly user: UserDto;
  /**
   * This call's `Idempotency-Key` (mutations only; in a batch, the key at the call's position
   * of the header), else undefined: pass it to core's write functions as `{ idempotencyKey }`.
   */
  readonly idempotencyKey: string | undefined;
}

/** A procedure builder whose resolvers see `TContext`, whatever the app's own context is. */
export type TaskpulseProcedureBuilder<TContext> = TRPCProcedureBuilder<
  object,
  object,
  TContext,
  TRPCUnsetMarker,
  TRPCUnsetMarker,
  TRPCUnsetMarker,
  TRPCUnsetMarker,
  false,
  TaskpulseErrorShape
>;

/**
 * What a domain router is written with, once, for the standalone router and for a host app's
 * router alike: the procedures' builders and the runtime.
 *
 * @example
 * ```ts
 * export const meProcedures = (b: TaskpulseBuilders) => ({
 *   me: b.authed.query(({ ctx }) => getMe(ctx.taskpulse)),
 * });
 * ```
 */
export interface TaskpulseBuilders {
  /** Builds a sub-router (a plain nested object works too). */
  readonly router: TRPCRouterBuilder<AnyTRPCRootTypes>;
  /**
   * For procedures anyone may call: rate limited per IP, timed, logged, errors mapped and
   * formatted the taskpulse way.
   */
  readonly public: TaskpulseProcedureBuilder<TaskpulsePublicContext>;
  /**
   * For procedures that need a user: `public`, plus a verified token, just-in-time user
   * provisioning and the per-user rate limit, before the input is even parsed.
   */
  readonly authed: TaskpulseProcedureBuilder<TaskpulseAuthedContext>;
  /** The runtime the procedures run on. */
  readonly runtime: TaskpulseRuntime;
}

/** Any tRPC procedure builder (the host app's `t.procedure`, or one derived from it). */
// biome-ignore lint/suspicious/noExplicitAny: any builder, whatever its context and meta
export type AnyProcedureBuilder = TRPCProcedureBuilder<any, any, any, any, any, any, any, any, any>;

/** The base a set of builders is made from: a tRPC instance, or its parts. */
export interface BuilderBase<TProcedure extends AnyProcedureBuilder> {
  // biome-ignore lint/suspicious/noExplicitAny: whatever root the host app's instance has
  readonly router: TRPCRouterBuilder<any>;
  readonly procedure: TProcedure;
}

// where the request travels in ctx between taskpulse's middlewares, out of the typed context
const REQUEST = Symbol('taskpulse.request');

/** The authentication middlewares of every set of builders, to tell authenticated procedures. */
const authentications = new WeakSet<object>();

/**
 * Whether a procedure was built with {@link TaskpulseBuilders.authed} (it needs a caller), as
 * the OpenAPI document says of each operation.
 */
export function isAuthenticatedProcedure(procedure: AnyTRPCProcedure): boolean {
  const { middlewares } = procedure._def as { middlewares?: readonly object[] };
  return middlewares?.some((middleware) => authentications.has(middleware)) ?? false;
}

/** Errors that a taskpulse procedure already counted and logged (the HTTP layer skips them). */
const observedErrors = new WeakSet<TRPCError>();

/** Whether a taskpulse procedure already counted and logged this error. */
export function isObservedError(error: TRPCError): boolean {
  return observedErrors.has(error);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/** A subscription's stream, with what it throws mapped the same way as a call's error. */
async function* mapStreamErrors(stream: AsyncIterable<unknown>): AsyncGenerator<unknown> {
  try {
    return yield* stream;
  } catch (error) {
    throw toTRPCError(error);
  }
}

interface MiddlewareOptions {
  // biome-ignore lint/suspicious/noExplicitAny: tRPC's middleware options, untyped here
  ctx: any;
  path: string;
  type: string;
  batchIndex?: number;
  // biome-ignore lint/suspicious/noExplicitAny: tRPC's next(), untyped here
  next: (opts?: { ctx: object }) => Promise<any>;
}

/**
 * Makes the builders of the taskpulse procedures on `base` (a tRPC instance, standalone or the
 * host app's), with `requestOf` finding the request's context in the instance's context.
 */
export function createTaskpulseBuilders<TProcedure extends AnyProcedureBuilder>(
  base: BuilderBase<TProcedure>,
  runtime: TaskpulseRuntime,
  // biome-ignore lint/suspicious/noExplicitAny: the host app's context, whatever it is
  requestOf: (ctx: any) => TaskpulseRequestContext,
): TaskpulseBuilders {
  const { metrics } = runtime;

  // times, counts and logs every call, and maps whatever it failed with to one tRPC error
  const observe = async ({ ctx, path, type, next }: MiddlewareOptions) => {
    const request = requestOf(ctx);
    const internals = requestInternals(request);
    const started = performance.now();
    const result = await runInCallScope({ procedure: path, logger: request.logger }, () =>
      next({
        ctx: {
          [REQUEST]: request,
          requestId: request.requestId,
          ip: request.ip,
          logger: request.logger,
        },
      }),
    );
    const durationMs = performance.now() - started;
    const error = result.ok ? undefined : toTRPCError(result.error);
    const outcome = error ? error.code : 'ok';
    metrics.observeCall(path, outcome, durationMs);
    internals.record.calls.push({ procedure: path, outcome, durationMs: Math.round(durationMs) });
    if (internals.logPerCall) {
      request.logger.info(
        {
          userId: internals.record.userId,
          procedure: path,
          outcome,
          durationMs: Math.round(durationMs),
        },
        'taskpulse call',
      );
    }
    if (!error) {
      if (type === 'subscription' && isAsyncIterable(result.data)) {
        return { ...result, data: mapStreamErrors(result.data) };
      }
      return result;
    }
    observedErrors.add(error);
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      request.logger.error({ err: error.cause ?? error, procedure: path }, 'procedure failed');
    } else if (error.code === 'SERVICE_UNAVAILABLE') {
      request.logger.warn(
        { procedure: path, reason: error.message },
        'procedure failed: unavailable',
      );
    }
    return { ...result, error };
  };

  const limitIp = async ({ ctx, next }: MiddlewareOptions) => {
    const request: TaskpulseRequestContext = ctx[REQUEST];
    if (request.ip !== undefined) await requestInternals(request).limiter.consume('ip', request.ip);
    return next();
  };

  const authenticate = async ({ ctx, next }: MiddlewareOptions) => {
    const request: TaskpulseRequestContext = ctx[REQUEST];
    const { caller, user, taskpulse } = await request.authenticate();
    await requestInternals(request).limiter.consume('user', caller.id);
    return next({ ctx: { caller, user, taskpulse } });
  };

  // a mutation's key, from the header (one per call of a batch); queries ignore it
  const findIdempotencyKey = async ({ ctx, type, batchIndex, next }: MiddlewareOptions) => {
    const request: TaskpulseRequestContext = ctx[REQUEST];
    const idempotencyKey =
      type === 'mutation'
        ? idempotencyKeyOfCall(requestInternals(request).idempotencyKeys(), batchIndex ?? 0)
        : undefined;
    return next({ ctx: { idempotencyKey } });
  };

  const publicProcedure = base.procedure
    .errors((opts) => runtime.formatError(opts))
    .use(observe)
    .use(limitIp);
  authentications.add(authenticate);
  const authedProcedure = publicProcedure.use(authenticate).use(findIdempotencyKey);

  return {
    router: base.router,
    // the middlewares above give exactly these contexts; tRPC cannot infer that through `any`
    public: publicProcedure as unknown as TaskpulseProcedureBuilder<TaskpulsePublicContext>,
    authed: authedProcedure as unknown as TaskpulseProcedureBuilder<TaskpulseAuthedContext>,
    runtime,
  };
}
