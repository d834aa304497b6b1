import { isTRPCClientError, type TRPCClientError } from '@trpc/client';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import type { TaskpulseApiRouter, TaskpulseErrorData, TaskpulseIssue } from '../router/types.ts';

/** A tRPC error code, as taskpulse answers it (`BAD_REQUEST`, `NOT_FOUND`, `CONFLICT`, …). */
export type TaskpulseApiErrorCode = TRPC_ERROR_CODE_KEY;

/**
 * An error thrown by a taskpulse client call. `data` is missing when the call never got an
 * answer from the API (a network failure, a proxy's error page).
 */
export type TaskpulseClientError = TRPCClientError<TaskpulseApiRouter>;

/** A {@link TaskpulseClientError} the API answered with `TCode`: its `data` is there. */
export type TaskpulseApiError<TCode extends TaskpulseApiErrorCode = TaskpulseApiErrorCode> = Omit<
  TaskpulseClientError,
  'data'
> & {
  readonly data: TaskpulseErrorData & { readonly code: TCode };
};

// A second copy of @trpc/client in an app makes `instanceof` fail; the shape is checked then.
function looksLikeClientError(error: unknown): error is TaskpulseClientError {
  return (
    error instanceof Error &&
    error.name === 'TRPCClientError' &&
    'shape' in error &&
    'data' in error
  );
}

/**
 * Whether `error` was thrown by a taskpulse client call, and, with `code`, whether the API
 * answered it with that code. Narrows `error.data` accordingly.
 *
 * @example
 * ```ts
 * try {
 *   await client.tasks.update.mutate({ id, title, expectedVersion });
 * } catch (error) {
 *   if (isTaskpulseClientError(error, 'CONFLICT')) reload();
 *   else if (isTaskpulseClientError(error, 'BAD_REQUEST')) show(error.data.issues);
 *   else throw error;
 * }
 * ```
 */
export function isTaskpulseClientError(error: unknown): error is TaskpulseClientError;
export function isTaskpulseClientError<TCode extends TaskpulseApiErrorCode>(
  error: unknown,
  code: TCode,
): error is TaskpulseApiError<TCode>;
export function isTaskpulseClientError(error: unknown, code?: TaskpulseApiErrorCode): boolean {
  if (!isTRPCClientError(error) && !looksLikeClientError(error)) return false;
  return code === undefined || (error as TaskpulseClientError).data?.code === code;
}

/**
 * The code the taskpulse API answered a failed call with, or undefined when `error` is not
 * such an answer (a network failure, or an error of another kind).
 */
export function getTaskpulseErrorCode(error: unknown): TaskpulseApiErrorCode | undefined {
  return isTaskpulseClientError(error) ? (error.data?.code ?? undefined) : undefined;
}

/**
 * The invalid fields of a `BAD_REQUEST` from input validation, each with its path in the
 * input (`['title']`, `['dueAt']`) and what is wrong; empty for any other error.
 */
export function getTaskpulseIssues(error: unknown): TaskpulseIssue[] {
  return isTaskpulseClientError(error, 'BAD_REQUEST') ? (error.data.issues ?? []) : [];
}

/**
 * For a `TOO_MANY_REQUESTS`: how many milliseconds to wait before calling again. Undefined
 * for any other error.
 */
export function getRetryAfterMs(error: unknown): number | undefined {
  return isTaskpulseClientError(error, 'TOO_MANY_REQUESTS') ? error.data.retryAfterMs : undefined;
}
