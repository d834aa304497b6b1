export {
  StatsCache,
  type StatsCacheCounters,
  type StatsCacheKey,
  type StatsCacheLogger,
  type StatsCacheOptions,
  type StatsCacheParamValue,
  type StatsCacheRedisOptions,
} from './cache/index.ts';
export {
  type Caller,
  type ChangeReport,
  runRead,
  runWrite,
  type TaskpulseContext,
} from './context.ts';
export { createTaskpulse, type Taskpulse } from './create-taskpulse.ts';
export { isUnavailableError, toTaskpulseError } from './db/errors.ts';
export type { TaskpulseEntityManager, TaskpulseOrm } from './db/index.ts';
export {
  type DatabaseConfig,
  type DatabaseConfigInput,
  databaseConfigSchema,
  type MigrateOptions,
  type MigrateResult,
  migrate,
  migrationsList,
  pendingMigrations,
  type ResolvedTaskpulseConfig,
  type TaskpulseConfig,
  taskpulseConfigSchema,
} from './db/index.ts';
export {
  isTaskpulseError,
  TaskpulseError,
  TaskpulseErrorCode,
  type TaskpulseErrorOptions,
  type TaskpulseIssue,
} from './errors/index.ts';
export {
  CHANGE_EVENT_TYPES,
  type ChangeEvent,
  type ChangeEventBus,
  type ChangeEventType,
  type ChangeListener,
  InProcessChangeEventBus,
} from './events/index.ts';
export {
  Conversation,
  entities,
  type IConversation,
  type IMessage,
  type ITask,
  type ITaskShare,
  type ITeam,
  type ITeamMember,
  type IUser,
  LIMITS,
  MESSAGE_ROLES,
  Message,
  type MessageRole,
  newId,
  SHARE_PERMISSIONS,
  type SharePermission,
  TASK_PRIORITIES,
  TASK_STATUSES,
  Task,
  type TaskPriority,
  TaskShare,
  type TaskStatus,
  TEAM_ROLES,
  Team,
  TeamMember,
  type TeamRole,
  User,
} from './schema/index.ts';
export {
  DEMO_USERS,
  type DemoUserId,
  type SeedBulkOptions,
  type SeedBulkResult,
  type SeedDemoOptions,
  type SeedSummary,
  seedBulk,
  seedBulkOptionsSchema,
  seedDemo,
} from './seed/index.ts';
export {
  getMe,
  provisionUser,
  type UserClaims,
  type UserDto,
  userClaimsSchema,
  userSchema,
} from './users/index.ts';
