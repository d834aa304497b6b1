import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import {
  ACTIVITY_SPANS,
  DUE_SPANS,
  shareCounterTriggers,
  taskCounterTriggers,
} from './counter-triggers.ts';
import {
  LIMITS,
  MESSAGE_ROLES,
  SHARE_PERMISSIONS,
  TASK_PRIORITIES,
  TASK_STATUSES,
  TEAM_ROLES,
} from './limits.ts';

/** A new opaque, time-ordered (UUIDv7), unguessable id. */
export const newId = (): string => uuidv7();

const id = () =>
  p
    .uuid()
    .primary()
    .onCreate(() => newId());
const createdAt = () =>
  p
    .datetime()
    .columnType('timestamptz')
    .defaultRaw('now()')
    .onCreate(() => new Date());
const timestamp = () => p.datetime().columnType('timestamptz');
// written as PostgreSQL prints it back, so that the schema diff stays empty
const lengthBetween = (column: string, min: number, max: number) =>
  `char_length(${column}) >= ${min} and char_length(${column}) <= ${max}`;

/** A person, identified by the identity provider's subject (`sub`). */
export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p
      .string()
      .primary()
      .columnType('text')
      .check(lengthBetween('id', LIMITS.userId.min, LIMITS.userId.max)),
    /** Only an address the identity provider verified (see `provisionUser`). */
    email: p.text().nullable(),
    /**
     * Whether `email` came from a verified claim. False only for addresses stored before
     * verification was required: those are never used to find a user, and are taken over by
     * a verified claim.
     */
    emailVerified: p.boolean().default(false),
    name: p.text().nullable(),
    createdAt: createdAt(),
  },
  uniques: [
    // "unique when present": PostgreSQL lets any number of NULLs through a unique index
    { name: 'users_email_unique', properties: ['email'] },
  ],
  checks: [
    { name: 'users_email_length', expression: `char_length(email) <= ${LIMITS.userEmail.max}` },
    { name: 'users_name_length', expression: `char_length(name) <= ${LIMITS.userName.max}` },
    {
      name: 'users_email_verified_has_email',
      expression: '(NOT email_verified) OR (email IS NOT NULL)',
    },
  ],
});

/** A team; its creator is its `owner` member. */
export const Team = defineEntity({
  name: 'Team',
  tableName: 'teams',
  properties: {
    id: id(),
    name: p.text().check(lengthBetween('name', LIMITS.teamName.min, LIMITS.teamName.max)),
    owner: () => p.manyToOne(User).fieldName('owner_id').deleteRule('cascade'),
    createdAt: createdAt(),
  },
  indexes: [
    // cascades a user's deletion to the teams they own
    { name: 'teams_owner_id_idx', properties: ['owner'] },
  ],
});

/** A task, owned by one user and optionally filed under a team. */
export const Task = defineEntity({
  name: 'Task',
  tableName: 'tasks',
  properties: {
    id: id(),
    user: () => p.manyToOne(User).fieldName('user_id').deleteRule('cascade'),
    team: () => p.manyToOne(Team).fieldName('team_id').nullable().deleteRule('set null'),
    title: p.text().check(lengthBetween('title', LIMITS.taskTitle.min, LIMITS.taskTitle.max)),
    description: p
      .text()
      .nullable()
      .check(`char_length(description) <= ${LIMITS.taskDescription.max}`),
    status: p.enum(TASK_STATUSES).default('pending'),
    priority: p.enum(TASK_PRIORITIES).default('medium'),
    dueAt: timestamp().nullable(),
    createdAt: createdAt(),
    updatedAt: timestamp()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    completedAt: timestamp().nullable(),
    version: p.integer().default(1),
  },
  checks: [
    {
      // completed_at is set exactly when the task is completed
      name: 'tasks_completed_at_matches_status',
      expression: `(status = 'completed') = (completed_at is not null)`,
    },
    { name: 'tasks_version_positive', expression: 'version >= 1' },
  ],
  indexes: [
    // tasks.list scope 'owned' (newest first, keyset) and every owned-task statistic:
    // an index-only scan of one user's rows
    {
      name: 'tasks_user_created_idx',
      expression: `create index "tasks_user_created_idx" on "tasks" ("user_id", "created_at" desc, "id" desc) include ("status", "priority", "due_at", "completed_at")`,
    },
    // tasks.list scope 'team' and the team-membership visibility rule; the set-null cascade
    {
      name: 'tasks_team_created_idx',
      expression: `create index "tasks_team_created_idx" on "tasks" ("team_id", "created_at" desc, "id" desc) where "team_id" is not null`,
    },
    // the overdue figure: the owner's pending tasks due in the current, partial hour (the
    // hours, days and months before it are counted in task_due_counts)
    {
      name: 'tasks_user_pending_due_idx',
      expression: `create index "tasks_user_pending_due_idx" on "tasks" ("user_id", "due_at") where "status" = 'pending' and "due_at" is not null`,
    },
    // activity and trend: the owner's tasks completed in the part of a window's edge that is
    // not on a quarter hour (the rest is counted in task_activity_counts)
    {
      name: 'tasks_user_completed_idx',
      expression: `create index "tasks_user_completed_idx" on "tasks" ("user_id", "completed_at") where "completed_at" is not null`,
    },
  ],
  // keep task_counts and task_due_counts exact (see counter-triggers.ts)
  triggers: taskCounterTriggers,
});

/** A task shared by its owner with another user, at `view` or `edit`. */
export const TaskShare = defineEntity({
  name: 'TaskShare',
  tableName: 'task_shares',
  properties: {
    id: id(),
    task: () => p.manyToOne(Task).fieldName('task_id').deleteRule('cascade'),
    sharedWithUser: () => p.manyToOne(User).fieldName('shared_with_user_id').deleteRule('cascade'),
    sharedByUser: () => p.manyToOne(User).fieldName('shared_by_user_id').deleteRule('cascade'),
    permission: p.enum(SHARE_PERMISSIONS),
    createdAt: createdAt(),
  },
  uniques: [
    // one share per task and recipient; also serves shares.list and the visibility rule by task
    { name: 'task_shares_task_recipient_unique', properties: ['task', 'sharedWithUser'] },
  ],
  indexes: [
    // tasks.list scope 'shared' and dashboard.shared: the tasks shared with me, by permission
    {
      name: 'task_shares_recipient_idx',
      properties: ['sharedWithUser', 'permission'],
      include: ['task'],
    },
    // cascades a user's deletion to the shares they made
    { name: 'task_shares_shared_by_idx', properties: ['sharedByUser'] },
  ],
  // keep task_counts exact (see counter-triggers.ts)
  triggers: shareCounterTriggers,
});

const counter = () => p.integer().default(0);

/**
 * One user's dashboard figures, kept exact by triggers on `tasks` and `task_shares` in the
 * transaction of every write, so that reading them costs the same for 10 tasks as for a
 * million. The definitions are those of the `tasks.list` filters (`STATISTICS_FIGURES`, …);
 * a missing row means all zero. `rebuildCounters` recomputes them from the rows.
 */
export const TaskCount = defineEntity({
  name: 'TaskCount',
  tableName: 'task_counts',
  properties: {
    user: () => p.manyToOne(User).primary().fieldName('user_id').deleteRule('cascade'),
    /** Owned tasks. */
    total: counter(),
    /** Owned pending tasks. */
    pending: counter(),
    /** Owned completed tasks. */
    completed: counter(),
    /** Owned tasks at priority low. */
    low: counter(),
    /** Owned tasks at priority medium. */
    medium: counter(),
    /** Owned tasks at priority high. */
    high: counter(),
    /** Tasks shared with the user at `view`, owned by someone else. */
    sharedView: counter(),
    /** Tasks shared with the user at `edit`, owned by someone else. */
    sharedEdit: counter(),
    /** Owned tasks with at least one share. */
    sharedByMe: counter(),
  },
});

/**
 * How many of a user's pending tasks fall due in each UTC month, day and hour: `overdue`
 * (pending, due before now) is the sum of the whole months before the current one, the
 * days of the current month before today, the hours of today before the current hour,
 * plus the tasks due in the current hour before now (an index range scan). Kept exact by
 * the triggers on `tasks`; a bucket that reaches zero is deleted.
 */
export const TaskDueCount = defineEntity({
  name: 'TaskDueCount',
  tableName: 'task_due_counts',
  properties: {
    user: () => p.manyToOne(User).primary().fieldName('user_id').deleteRule('cascade'),
    span: p.enum(DUE_SPANS).primary(),
    startsAt: timestamp().primary(),
    pending: p.integer(),
  },
});

/**
 * How many of a user's tasks were created, and how many completed, in each UTC day, hour
 * and quarter hour (`span`, bucket start `startsAt`): a local-day window of `activity` or
 * `trend` is the whole UTC days inside it, the hours and quarter hours at its edges, and an
 * exact count of the rows only for the part of an edge that is not on a quarter hour
 * (historical offsets such as LMT). Kept exact by the triggers on `tasks`; a bucket that
 * reaches zero is deleted.
 */
export const TaskActivityCount = defineEntity({
  name: 'TaskActivityCount',
  tableName: 'task_activity_counts',
  properties: {
    user: () => p.manyToOne(User).primary().fieldName('user_id').deleteRule('cascade'),
    span: p.enum(ACTIVITY_SPANS).primary(),
    startsAt: timestamp().primary(),
    /** Owned tasks whose `created_at` falls in the bucket. */
    created: p.integer(),
    /** Owned tasks whose `completed_at` falls in the bucket. */
    completed: p.integer(),
  },
});

/** A user's membership of a team, with a role. */
export const TeamMember = defineEntity({
  name: 'TeamMember',
  tableName: 'team_members',
  properties: {
    id: id(),
    team: () => p.manyToOne(Team).fieldName('team_id').deleteRule('cascade'),
    user: () => p.manyToOne(User).fieldName('user_id').deleteRule('cascade'),
    role: p.enum(TEAM_ROLES),
    createdAt: createdAt(),
  },
  uniques: [
    // one membership per user and team; also lists a team's members
    { name: 'team_members_team_user_unique', properties: ['team', 'user'] },
  ],
  indexes: [
    // teams.list and the team visibility rule: the teams a user belongs to
    { name: 'team_members_user_idx', properties: ['user'], include: ['team', 'role'] },
  ],
});

/** An AI-chat conversation, visible to its owner only. */
export const Conversation = defineEntity({
  name: 'Conversation',
  tableName: 'conversations',
  properties: {
    id: id(),
    user: () => p.manyToOne(User).fieldName('user_id').deleteRule('cascade'),
    title: p.text().nullable().check(`char_length(title) <= ${LIMITS.conversationTitle.max}`),
    createdAt: createdAt(),
    updatedAt: timestamp()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
  indexes: [
    // conversations.list: one user's conversations, newest first, keyset
    {
      name: 'conversations_user_created_idx',
      expression: `create index "conversations_user_created_idx" on "conversations" ("user_id", "created_at" desc, "id" desc)`,
    },
  ],
});

/** One message of a conversation. */
export const Message = defineEntity({
  name: 'Message',
  tableName: 'messages',
  properties: {
    id: id(),
    conversation: () =>
      p.manyToOne(Conversation).fieldName('conversation_id').deleteRule('cascade'),
    user: () => p.manyToOne(User).fieldName('user_id').deleteRule('cascade'),
    role: p.enum(MESSAGE_ROLES),
    content: p
      .text()
      .check(lengthBetween('content', LIMITS.messageContent.min, LIMITS.messageContent.max)),
    createdAt: createdAt(),
  },
  indexes: [
    // messages.list: a conversation's messages in order (created_at, then id), keyset
    { name: 'messages_conversation_created_idx', properties: ['conversation', 'createdAt', 'id'] },
    // cascades a user's deletion to their messages
    { name: 'messages_user_idx', properties: ['user'] },
  ],
});

/**
 * A write carried out under an `Idempotency-Key`: per user and key, the write happens at most
 * once while the record lives (24 hours); a repeat answers `response`. Inserted in the write's
 * own transaction, so a rolled-back write leaves no key; the primary key makes a concurrent
 * repeat wait for the first write's commit.
 */
export const IdempotencyKey = defineEntity({
  name: 'IdempotencyKey',
  tableName: 'idempotency_keys',
  properties: {
    user: () => p.manyToOne(User).primary().fieldName('user_id').deleteRule('cascade'),
    key: p
      .string()
      .primary()
      .columnType('text')
      .check(lengthBetween('key', LIMITS.idempotencyKey.min, LIMITS.idempotencyKey.max)),
    /** SHA-256 (hex) of the operation and its canonical input. */
    requestHash: p.text(),
    /**
     * The write's result as JSON text, exactly as the wire sends it (text, not jsonb, which
     * would reorder its keys); null until the write finishes.
     */
    response: p.text().nullable(),
    createdAt: createdAt(),
    expiresAt: timestamp(),
  },
  indexes: [
    // the clean-up of expired keys
    { name: 'idempotency_keys_expires_idx', properties: ['expiresAt'] },
  ],
});

/** Every entity of taskpulse, to register in a MikroORM configuration. */
export const entities: readonly [
  typeof User,
  typeof Team,
  typeof Task,
  typeof TaskShare,
  typeof TeamMember,
  typeof Conversation,
  typeof Message,
  typeof TaskCount,
  typeof TaskDueCount,
  typeof TaskActivityCount,
  typeof IdempotencyKey,
] = [
  User,
  Team,
  Task,
  TaskShare,
  TeamMember,
  Conversation,
  Message,
  TaskCount,
  TaskDueCount,
  TaskActivityCount,
  IdempotencyKey,
];

export type IUser = InferEntity<typeof User>;
export type ITeam = InferEntity<typeof Team>;
export type ITask = InferEntity<typeof Task>;
export type ITaskShare = InferEntity<typeof TaskShare>;
export type ITeamMember = InferEntity<typeof TeamMember>;
export type IConversation = InferEntity<typeof Conversation>;
export type IMessage = InferEntity<typeof Message>;
export type ITaskCount = InferEntity<typeof TaskCount>;
export type ITaskDueCount = InferEntity<typeof TaskDueCount>;
export type ITaskActivityCount = InferEntity<typeof TaskActivityCount>;
export type IIdempotencyKey = InferEntity<typeof IdempotencyKey>;
