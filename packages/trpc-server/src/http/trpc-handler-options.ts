import { type AnyTRPCRouter, getTRPCErrorShape, type TRPCError } from '@trpc/server';
import { retryAfterSeconds } from '../errors/index.ts';
import {
  loggablePath,
  type RequestRecord,
  requestLogFields,
  type TaskpulseLogger,
} from '../logging/index.ts';
import { createTaskpulseRouter, isObservedError } from '../router/index.ts';
import { createTaskpulseRuntime, type TaskpulseRuntime } from '../runtime/index.ts';
import type { TaskpulseServerOptions } from './options.ts';

/** The runtime and router a server serves, and whether the server owns (and closes) the runtime. */
export function runtimeAndRouter(options: TaskpulseServerOptions): {
  runtime: TaskpulseRuntime;
  router: AnyTRPCRouter;
  ownsRuntime: boolean;
} {
  if ('runtime' in options) {
    return {
      runtime: options.runtime,
      router: options.router ?? createTaskpulseRouter(options.runtime),
      ownsRuntime: false,
    };
  }
  const runtime = createTaskpulseRuntime(options);
  return { runtime, router: createTaskpulseRouter(runtime), ownsRuntime: true };
}

/** The `Retry-After` header for a response whose calls were rate limited. */
export function retryAfterMeta({ errors }: { errors: TRPCError[] }) {
  const seconds = retryAfterSeconds(errors);
  return seconds === undefined ? {} : { headers: new Headers({ 'retry-after': String(seconds) }) };
}

/**
 * Accounts for an error that no taskpulse procedure saw (an unknown procedure, a malformed
 * body, a batch too large): in the request's record, in the metrics, and logged when internal.
 */
export function recordUnobservedError(
  runtime: TaskpulseRuntime,
  router: AnyTRPCRouter,
  record: RequestRecord | undefined,
  logger: TaskpulseLogger,
  error: TRPCError,
  path: string | undefined,
  durationMs: number,
): void {
  if (isObservedError(error)) return;
  const known = path !== undefined && path in router._def.procedures;
  runtime.metrics.observeCall(known ? path : '(unmatched)', error.code, durationMs);
  record?.calls.push({
    procedure: loggablePath(path),
    outcome: error.code,
    durationMs: Math.round(durationMs),
  });
  if (error.code === 'INTERNAL_SERVER_ERROR') {
    logger.error({ err: error.cause ?? error, procedure: loggablePath(path) }, 'request failed');
  }
}

/** The body of an error answered before tRPC parsed the request (a body too large). */
export function errorBody(router: AnyTRPCRouter, error: TRPCError): string {
  const shape = getTRPCErrorShape({
    config: router._def._config,
    error,
    type: 'unknown',
    path: undefined,
    input: undefined,
    ctx: undefined,
  });
  return JSON.stringify({ error: shape });
}

/** Writes the one line of a finished request. */
export function logRequest(
  logger: TaskpulseLogger,
  fields: { method: string; status: number; durationMs: number; record: RequestRecord },
): void {
  logger.info(
    {
      method: fields.method,
      status: fields.status,
      durationMs: Math.round(fields.durationMs),
      ...requestLogFields(fields.record),
    },
    'request',
  );
}
