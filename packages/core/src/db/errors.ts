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

/** The SQLSTATE codes taskpulse tells apart (PostgreSQL's "Appendix A. Error Codes"). */
export const SQLSTATE = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
} as const;

/** What PostgreSQL says about a failed statement: its SQLSTATE, and the constraint it broke. */
export interface DatabaseErrorInfo {
  sqlState: string;
  constraint?: string;
}

/**
 * The SQLSTATE and constraint of a database error, or undefined for anything else. Reads
 * node-postgres' and PGlite's errors (both carry `code` and `constraint`) and MikroORM's
 * `DriverException` around either (`sqlState`, `code`), looking through `cause`.
 */
export function databaseErrorOf(error: unknown): DatabaseErrorInfo | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth += 1) {
    if (typeof current !== 'object') return undefined;
    const { code, sqlState, constraint } = current as Record<string, unknown>;
    const state = typeof sqlState === 'string' ? sqlState : code;
    if (typeof state === 'string' && /^[0-9A-Z]{5}$/.test(state)) {
      return typeof constraint === 'string' ? { sqlState: state, constraint } : { sqlState: state };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Whether `error` is a violation of SQLSTATE `sqlState`, of one of `constraints` when given
 * (constraint names as the migrations create them).
 */
export function isConstraintViolation(
  error: unknown,
  sqlState: (typeof SQLSTATE)[keyof typeof SQLSTATE],
  constraints?: readonly string[],
): boolean {
  const info = databaseErrorOf(error);
  if (!info || info.sqlState !== sqlState) return false;
  return (
    constraints === undefined ||
    (info.constraint !== undefined && constraints.includes(info.constraint))
  );
}

// the foreign keys from a row a caller creates to the caller's user row
const CALLER_FOREIGN_KEYS = [
  'tasks_user_id_foreign',
  'teams_owner_id_foreign',
  'team_members_user_id_foreign',
  'conversations_user_id_foreign',
  'messages_user_id_foreign',
  'idempotency_keys_user_id_foreign',
];

/**
 * A write by a caller who has no user row yet fails on a foreign key to `users`: rethrows that
 * as `NOT_FOUND` saying what to do, anything else as it is.
 */
export function rethrowMissingCaller(error: unknown): never {
  if (isConstraintViolation(error, SQLSTATE.foreignKeyViolation, CALLER_FOREIGN_KEYS)) {
    throw new TaskpulseError(
      'NOT_FOUND',
      'The calling user is not provisioned: call provisionUser() with their identity claims first.',
      { cause: error },
    );
  }
  throw error;
}

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
