/**
 * The codes a {@link TaskpulseError} can carry. Adapters map each to their own vocabulary
 * (trpc-server maps them to tRPC codes in one place).
 */
export const TaskpulseErrorCode = {
  /** The input or configuration is invalid; `issues` names each bad field. */
  VALIDATION: 'VALIDATION',
  /** No credentials, or credentials that could not be verified. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** The object does not exist, or is not visible to the caller (the two are never told apart). */
  NOT_FOUND: 'NOT_FOUND',
  /** The object is visible to the caller, who may not change it in that way. */
  FORBIDDEN: 'FORBIDDEN',
  /** The write conflicts with the current state (a stale `expectedVersion`, a duplicate). */
  CONFLICT: 'CONFLICT',
  /** The database cannot be reached; retrying later may succeed. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** A bug or an unexpected failure; the message never carries SQL or data. */
  INTERNAL: 'INTERNAL',
} as const;

/** One of {@link TaskpulseErrorCode}'s values. */
export type TaskpulseErrorCode = (typeof TaskpulseErrorCode)[keyof typeof TaskpulseErrorCode];
