import { ConnectionException, DriverException } from '@mikro-orm/core';
import { isTaskpulseError, TaskpulseError } from '../errors/index.ts';

// node-postgres and socket errors that mean "the server is not there right now"
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '57014', // query_canceled: the statement timeout
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|connection error|Connection not established|not queryable|ECONNREFUSED|Query read timeout/i;

/** Whether a driver error means the database cannot be reached (as opposed to a bad query). */
export function isUnavailableError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth += 1) {
    if (current instanceof ConnectionException) return true;
    if (typeof current === 'object') {
      const { code, message } = current as { code?: unknown; message?: unknown };
      if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
      if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
      if (current instanceof AggregateError && current.errors.some(isUnavailableError)) return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Turns anything thrown by the database layer into a {@link TaskpulseError}: an unreachable
 * database is `UNAVAILABLE`; anything else unexpected is `INTERNAL` with a generic message
 * (the original, which may hold SQL and data, stays in `cause` for logs only).
 */
export function toTaskpulseError(error: unknown): TaskpulseError {
  if (isTaskpulseError(error)) return error;
  if (isUnavailableError(error)) {
    return new TaskpulseError(
      'UNAVAILABLE',
      'The database cannot be reached right now. Try again in a moment.',
      { cause: error },
    );
  }
  const what =
    error instanceof DriverException
      ? 'The database refused the operation'
      : 'Something went wrong';
  return new TaskpulseError('INTERNAL', `${what}. The error has been logged.`, { cause: error });
}
