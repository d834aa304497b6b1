export { TRPC_CODE_BY_TASKPULSE_CODE } from './codes.ts';
export { taskpulseErrorShapeSchema } from './error-schema.ts';
export {
  type FormatErrorOptions,
  formatTaskpulseError,
  retryAfterSeconds,
  type TaskpulseErrorData,
  type TaskpulseErrorShape,
} from './format-error.ts';
export { describeIssues, validationIssues } from './issues.ts';
export { RateLimitedError, type RateLimitScope } from './rate-limited-error.ts';
export { toTRPCError } from './to-trpc-error.ts';
