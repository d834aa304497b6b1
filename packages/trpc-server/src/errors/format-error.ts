import type { TaskpulseIssue } from '@taskpulse/core';
import type {
  TRPC_ERROR_CODE_KEY,
  TRPC_ERROR_CODE_NUMBER,
  TRPCDefaultErrorShape,
  TRPCError,
} from '@trpc/server';
import { describeIssues, validationIssues } from './issues.ts';
import { RateLimitedError } from './rate-limited-error.ts';

/** The `data` of every taskpulse error response. */
export interface TaskpulseErrorData {
  /** The tRPC code, e.g. `BAD_REQUEST`. */
  code: TRPC_ERROR_CODE_KEY;
  /** The HTTP status the code maps to. */
  httpStatus: number;
  /** The procedure that failed, when there is one. */
  path?: string;
  /** For `BAD_REQUEST` from validation: each bad field, by its path in the input. */
  issues?: TaskpulseIssue[];
  /** For `TOO_MANY_REQUESTS`: milliseconds until a retry may succeed. */
  retryAfterMs?: number;
}

/** The error shape taskpulse answers with (tRPC's, plus `issues` and `retryAfterMs`; never a stack). */
export interface TaskpulseErrorShape {
  message: string;
  code: TRPC_ERROR_CODE_NUMBER;
  data: TaskpulseErrorData;
}

/** Options of {@link formatTaskpulseError}. */
export interface FormatErrorOptions {
  /**
   * Production mode: `INTERNAL_SERVER_ERROR` messages are replaced by a generic one, whatever
   * threw them.
   */
  production: boolean;
}

const GENERIC_INTERNAL_MESSAGE = 'Something went wrong on our side. The error has been logged.';

/**
 * Formats an error the way every taskpulse procedure answers it: validation failures are
 * `BAD_REQUEST` with `data.issues` (`[{ path, message }]`) and a message naming each bad field;
 * rate limits carry `data.retryAfterMs`; `data.stack` is never sent; in production an
 * `INTERNAL_SERVER_ERROR` says nothing but that something went wrong.
 *
 * taskpulse applies it to its own procedures in every setting (also when mounted into a host
 * app). A host app can call it from its own `errorFormatter` to answer the same way.
 *
 * @example
 * ```ts
 * const t = initTRPC.context<HostContext>().create({
 *   errorFormatter: (opts) => formatTaskpulseError(opts, { production: true }),
 * });
 * ```
 */
export function formatTaskpulseError(
  { shape, error }: { shape: TRPCDefaultErrorShape; error: TRPCError },
  { production }: FormatErrorOptions,
): TaskpulseErrorShape {
  const { code, httpStatus, path } = shape.data;
  const data: TaskpulseErrorData = { code, httpStatus };
  if (path !== undefined) data.path = path;
  let message = shape.message;

  if (error.code === 'BAD_REQUEST') {
    const issues = validationIssues(error.cause);
    if (issues) {
      data.issues = issues;
      message = describeIssues(issues);
    }
  }
  if (error.cause instanceof RateLimitedError) {
    data.retryAfterMs = error.cause.retryAfterMs;
  }
  if (error.code === 'INTERNAL_SERVER_ERROR' && production) {
    message = GENERIC_INTERNAL_MESSAGE;
  }
  return { message, code: shape.code, data };
}

/**
 * The `Retry-After` value, in whole seconds, for a response that carries these errors: the
 * longest wait among its rate-limited calls, or undefined when none was rate limited.
 */
export function retryAfterSeconds(errors: readonly TRPCError[]): number | undefined {
  let longest: number | undefined;
  for (const error of errors) {
    if (error.cause instanceof RateLimitedError) {
      const seconds = Math.max(1, Math.ceil(error.cause.retryAfterMs / 1000));
      longest = Math.max(longest ?? 0, seconds);
    }
  }
  return longest;
}
