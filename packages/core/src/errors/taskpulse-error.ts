import type { TaskpulseErrorCode } from './codes.ts';

/** One invalid field: where it is in the input, and what is wrong with it. */
export interface TaskpulseIssue {
  /** Path of the field in the input, e.g. `['database', 'url']`; empty for the input as a whole. */
  path: (string | number)[];
  message: string;
}

/** Options of a {@link TaskpulseError}. */
export interface TaskpulseErrorOptions {
  /** The invalid fields, for `VALIDATION` errors. */
  issues?: TaskpulseIssue[];
  /** The underlying error; kept for logs, never shown to callers. */
  cause?: unknown;
}

/**
 * The one error class of taskpulse. Its `message` says what is wrong and what to do, and
 * never carries SQL, stack traces or another user's data.
 *
 * @example
 * ```ts
 * try {
 *   await tasks.update(ctx, { id, title: 'x', expectedVersion: 3 });
 * } catch (error) {
 *   if (isTaskpulseError(error, 'CONFLICT')) reload();
 * }
 * ```
 */
export class TaskpulseError extends Error {
  override readonly name = 'TaskpulseError';
  readonly code: TaskpulseErrorCode;
  readonly issues: TaskpulseIssue[];

  constructor(code: TaskpulseErrorCode, message: string, options: TaskpulseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
  }
}

/** Whether `error` is a {@link TaskpulseError}, optionally with the given code. */
export function isTaskpulseError(
  error: unknown,
  code?: TaskpulseErrorCode,
): error is TaskpulseError {
  return error instanceof TaskpulseError && (code === undefined || error.code === code);
}
