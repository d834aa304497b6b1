export {
  type AuthRequest,
  type HmacAlgorithm,
  type IdentityClaims,
  type JwksAuthOptions,
  type JwksUrlAuthOptions,
  type PublicKeyAlgorithm,
  type ResolveUserAuthOptions,
  readBearerToken,
  readConnectionParamsToken,
  type SecretAuthOptions,
  type TaskpulseAuthOptions,
  type TokenChecks,
} from './auth/index.ts';
export type {
  AuthenticatedCaller,
  TaskpulseRequestContext,
  TaskpulseRequestInit,
} from './context/index.ts';
export {
  type FormatErrorOptions,
  formatTaskpulseError,
  RateLimitedError,
  type RateLimitScope,
  retryAfterSeconds,
  type TaskpulseErrorData,
  type TaskpulseErrorShape,
  TRPC_CODE_BY_TASKPULSE_CODE,
  taskpulseErrorShapeSchema,
  toTRPCError,
} from './errors/index.ts';
export {
  createTaskpulseFetchHandler,
  createTaskpulseServer,
  type ExistingRuntimeOptions,
  type TaskpulseCorsOptions,
  type TaskpulseFetchHandler,
  type TaskpulseFetchHandlerOptions,
  type TaskpulseHttpOptions,
  type TaskpulseRoute,
  type TaskpulseRouteContext,
  type TaskpulseRouteFactory,
  type TaskpulseServer,
  type TaskpulseServerOptions,
  type TrustProxy,
} from './http/index.ts';
export type { CallRecord, TaskpulseLogger } from './logging/index.ts';
export {
  type CacheCounts,
  createTaskpulseMetrics,
  type McpOperation,
  type QueryEvent,
  type TaskpulseMetrics,
  type TaskpulseMetricsOptions,
} from './metrics/index.ts';
export type { TaskpulseOpenApiOptions, TaskpulseRouteOpenApi } from './openapi/index.ts';
export type {
  RateLimitBudget,
  RateLimitRedisOption,
  RedisClientLike,
  TaskpulseRateLimitOptions,
} from './rate-limit/index.ts';
export {
  createTaskpulseHostRouter,
  createTaskpulseRouter,
  type Health,
  healthSchema,
  type TaskpulseApiProcedures,
  type TaskpulseApiRootTypes,
  type TaskpulseApiRouter,
  type TaskpulseAuthedContext,
  type TaskpulseBuilders,
  type TaskpulseHostRouterOptions,
  type TaskpulseProcedureBuilder,
  type TaskpulseProcedures,
  type TaskpulsePublicContext,
  type TaskpulseRootTypes,
  type TaskpulseRouter,
} from './router/index.ts';
export {
  createTaskpulseRuntime,
  type TaskpulseRuntime,
  type TaskpulseRuntimeOptions,
} from './runtime/index.ts';
