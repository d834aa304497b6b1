export { TaskpulseErrorCode } from './codes.ts';
export { parseWith, validationError } from './from-zod.ts';
export {
  isTaskpulseError,
  TaskpulseError,
  type TaskpulseErrorOptions,
  type TaskpulseIssue,
} from './taskpulse-error.ts';
