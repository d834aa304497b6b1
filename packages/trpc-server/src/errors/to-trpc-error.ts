import { TaskpulseError, toTaskpulseError } from '@taskpulse/core';
import { TRPCError } from '@trpc/server';
import { TRPC_CODE_BY_TASKPULSE_CODE } from './codes.ts';

function fromTaskpulseError(error: TaskpulseError): TRPCError {
  return new TRPCError({
    code: TRPC_CODE_BY_TASKPULSE_CODE[error.code],
    message: error.message,
    cause: error,
  });
}

/**
 * Turns anything a procedure threw into the `TRPCError` the caller gets. A core
 * {@link TaskpulseError} keeps its message and gets the tRPC code of its `code`; anything else
 * unexpected goes through core's `toTaskpulseError`, so that an unreachable database is
 * `SERVICE_UNAVAILABLE` and any other failure an `INTERNAL_SERVER_ERROR` with a generic
 * message (never the driver's, which may hold SQL and data). A `TRPCError` with a code of its
 * own (input validation, auth, rate limits) is kept as it is.
 */
export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError) {
    if (error.code !== 'INTERNAL_SERVER_ERROR' || error.cause === undefined) return error;
    // tRPC wraps whatever a resolver threw into INTERNAL_SERVER_ERROR; judge the original
    return fromTaskpulseError(toTaskpulseError(error.cause));
  }
  if (error instanceof TaskpulseError) return fromTaskpulseError(error);
  return fromTaskpulseError(toTaskpulseError(error));
}
