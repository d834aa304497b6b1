import type { TaskpulseErrorCode } from '@taskpulse/core';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';

/**
 * The tRPC code each core {@link TaskpulseErrorCode} is answered with: the one place where
 * core's vocabulary meets tRPC's.
 */
export const TRPC_CODE_BY_TASKPULSE_CODE = {
  VALIDATION: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const satisfies Record<TaskpulseErrorCode, TRPC_ERROR_CODE_KEY>;
