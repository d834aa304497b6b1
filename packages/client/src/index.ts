export {
  createTaskpulseClient,
  createTaskpulseLinks,
  type TaskpulseClient,
} from './client/create-client.ts';
export type {
  TaskpulseClientOptions,
  TaskpulseMountKey,
  TaskpulseRetryOptions,
  TokenResult,
} from './client/options.ts';
export { MissingEventSourceError } from './client/retry.ts';
export {
  getRetryAfterMs,
  getTaskpulseErrorCode,
  getTaskpulseIssues,
  isTaskpulseClientError,
  type TaskpulseApiError,
  type TaskpulseApiErrorCode,
  type TaskpulseClientError,
} from './errors/error-code.ts';
export type {
  Activity,
  ActivityInput,
  Breakdown,
  ConversationDto,
  ListTasksInput,
  LiveEvent,
  LiveSnapshot,
  MessageDto,
  Page,
  RouterInputs,
  RouterOutputs,
  ShareDto,
  SharedStats,
  Statistics,
  TaskDto,
  TaskPriority,
  TaskpulseApiRouter,
  TaskpulseErrorData,
  TaskpulseErrorShape,
  TaskpulseIssue,
  TaskStatus,
  TeamDto,
  TimeWindow,
  TrendDay,
  TrendInput,
  UserDto,
} from './router/types.ts';
