import {
  activitySchema,
  breakdownSchema,
  conversationSchema,
  deletedAccountSchema,
  deletedShareSchema,
  deletedTaskSchema,
  liveSnapshotSchema,
  messageSchema,
  pageSchema,
  removedMemberSchema,
  sharedStatsSchema,
  shareSchema,
  statisticsSchema,
  taskSchema,
  teamMemberSchema,
  teamSchema,
  type timeWindowSchema,
  type trendDaySchema,
  trendSchema,
  userSchema,
} from '@taskpulse/core';
import type {
  AnyTRPCProcedure,
  AnyTRPCRouter,
  AnyTRPCSubscriptionProcedure,
  inferProcedureInput,
  inferProcedureOutput,
  inferSubscriptionOutput,
} from '@trpc/server';
import type { z } from 'zod';
import type { TaskpulseApiRouter } from '../router/index.ts';
import { healthSchema } from '../router/index.ts';

/** The dotted path of every procedure of a router record: `tasks.create`, `me`. */
type ProcedurePaths<TRecord, TPrefix extends string = ''> = {
  [K in keyof TRecord & string]: TRecord[K] extends AnyTRPCProcedure
    ? `${TPrefix}${K}`
    : TRecord[K] extends AnyTRPCRouter
      ? ProcedurePaths<TRecord[K]['_def']['record'], `${TPrefix}${K}.`>
      : ProcedurePaths<TRecord[K], `${TPrefix}${K}.`>;
}[keyof TRecord & string];

/** The procedure at a dotted path of a router record. */
type ProcedureAt<TRecord, TPath extends string> = TPath extends keyof TRecord
  ? TRecord[TPath] // a key with a dot of its own, such as `me.delete` beside the procedure `me`
  : TPath extends `${infer Head}.${infer Rest}`
    ? Head extends keyof TRecord
      ? TRecord[Head] extends AnyTRPCRouter
        ? ProcedureAt<TRecord[Head]['_def']['record'], Rest>
        : ProcedureAt<TRecord[Head], Rest>
      : never
    : TPath extends keyof TRecord
      ? TRecord[TPath]
      : never;

type ApiRecord = TaskpulseApiRouter['_def']['record'];

/** Every procedure of the taskpulse API, by its dotted path. */
export type TaskpulseProcedurePath = ProcedurePaths<ApiRecord>;

type Procedure<P extends TaskpulseProcedurePath> = ProcedureAt<ApiRecord, P>;

/** What a call of the procedure answers in `result.data` (a subscription: each event's data). */
type OutputOf<P extends TaskpulseProcedurePath> =
  Procedure<P> extends AnyTRPCSubscriptionProcedure
    ? inferSubscriptionOutput<Procedure<P>> extends { id: string; data: infer Data }
      ? Data // a tracked() event: its data (the id is the SSE message's id)
      : inferSubscriptionOutput<Procedure<P>>
    : Procedure<P> extends AnyTRPCProcedure
      ? inferProcedureOutput<Procedure<P>>
      : never;

type InputOf<P extends TaskpulseProcedurePath> =
  Procedure<P> extends AnyTRPCProcedure ? Exclude<inferProcedureInput<Procedure<P>>, void> : never;

/** The errors a procedure answers beyond those every call may get. */
export type DomainError = 'NOT_FOUND' | 'FORBIDDEN' | 'CONFLICT';

/** How the OpenAPI document describes one procedure of the taskpulse API. */
export interface OperationDoc<TInput, TOutput> {
  /** One line: what it does. */
  readonly summary: string;
  /** More: the rules, what the answer holds (Markdown). */
  readonly description?: string;
  /** The schema of what it answers (`result.data`), and the name of its OpenAPI component. */
  readonly output: { readonly name: string; readonly schema: z.ZodType<TOutput> };
  /** Domain errors it may answer (each call may also get 400, 401, 429 and 503). */
  readonly errors?: readonly DomainError[];
  /** A call and its answer: `input` is left out for a procedure without input. */
  readonly example: { readonly input?: TInput; readonly output: TOutput };
  /**
   * `false` for a mutation that keeps no `Idempotency-Key` (`me.delete`: the key would be
   * deleted with the account), so that the document offers the header only where it works.
   */
  readonly idempotencyKey?: false;
}

/** Whether A and B are the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** One documentation entry for every procedure of the API. */
type OperationDocs = {
  readonly [P in TaskpulseProcedurePath]: OperationDoc<InputOf<P>, OutputOf<P>>;
};

const TASK_ID = '0198c3a2-7f1e-7b3c-9a41-5d2e8f0c1a2b';
const TEAM_ID = '0198c3a0-11aa-7c20-8b3e-2f6d9e1c4a77';
const CONVERSATION_ID = '0198c3a4-5b6c-7d8e-9f01-a2b3c4d5e6f7';
const MESSAGE_ID = '0198c3a4-6c7d-7e8f-8a12-b3c4d5e6f708';
const SHARE_ID = '0198c3a3-2d4e-7f60-a1b2-c3d4e5f60718';
const ALICE = 'auth0|alice';
const BOB = 'auth0|bob';
const CURSOR =
  'WyIyMDI2LTAzLTAyVDA5OjE1OjAwLjAwMFoiLCIwMTk4YzNhMi03ZjFlLTdiM2MtOWE0MS01ZDJlOGYwYzFhMmIiXQ';

const task = {
  id: TASK_ID,
  userId: ALICE,
  teamId: null,
  title: 'Write the launch post',
  description: 'Two paragraphs and a screenshot.',
  status: 'pending',
  priority: 'high',
  dueAt: '2026-03-06T17:00:00.000Z',
  createdAt: '2026-03-02T09:15:00.000Z',
  updatedAt: '2026-03-02T09:15:00.000Z',
  completedAt: null,
  version: 1,
  access: 'owner',
} as const satisfies z.output<typeof taskSchema>;

const completedTask = {
  ...task,
  status: 'completed',
  updatedAt: '2026-03-04T16:40:12.000Z',
  completedAt: '2026-03-04T16:40:12.000Z',
  version: 2,
} as const satisfies z.output<typeof taskSchema>;

const share = {
  id: SHARE_ID,
  taskId: TASK_ID,
  permission: 'edit',
  sharedByUserId: ALICE,
  sharedWith: { id: BOB, name: 'Bob', email: 'bob@example.com' },
  createdAt: '2026-03-02T10:00:00.000Z',
} as const satisfies z.output<typeof shareSchema>;

const team = {
  id: TEAM_ID,
  name: 'Launch',
  ownerId: ALICE,
  createdAt: '2026-03-01T08:00:00.000Z',
  role: 'owner',
  memberCount: 3,
} as const satisfies z.output<typeof teamSchema>;

const conversation = {
  id: CONVERSATION_ID,
  title: 'Plan the launch',
  createdAt: '2026-03-02T11:00:00.000Z',
  updatedAt: '2026-03-02T11:02:30.000Z',
} as const satisfies z.output<typeof conversationSchema>;

const message = {
  id: MESSAGE_ID,
  conversationId: CONVERSATION_ID,
  role: 'user',
  content: 'What is left before the launch?',
  createdAt: '2026-03-02T11:02:30.000Z',
} as const satisfies z.output<typeof messageSchema>;

const statistics = { total: 42, pending: 30, completed: 12, shared: 5, overdue: 3 };

const window = {
  timeZone: 'Europe/Berlin',
  today: { from: '2026-03-03T23:00:00.000Z', to: '2026-03-04T23:00:00.000Z' },
  week: { from: '2026-03-01T23:00:00.000Z', to: '2026-03-08T23:00:00.000Z' },
} as const satisfies z.output<typeof timeWindowSchema>;

const activity = {
  createdToday: 4,
  completedToday: 2,
  createdThisWeek: 11,
  completedThisWeek: 7,
  completionRate: 0.2857,
  window,
};

/** Pages of each kind of item (one schema each, so that each is one OpenAPI component). */
const taskPage = pageSchema(taskSchema);
const sharePage = pageSchema(shareSchema);
const teamPage = pageSchema(teamSchema);
const conversationPage = pageSchema(conversationSchema);
const messagePage = pageSchema(messageSchema);

/**
 * How the OpenAPI document describes each procedure of the taskpulse API. Inputs come from the
 * procedures' own validators; outputs, errors and examples from here.
 */
export const OPERATION_DOCS = {
  health: {
    summary: 'Whether the API can reach its database',
    description:
      'The one procedure that needs no token. `GET /health/ready` answers the same question for load balancers, with a 503 when the database is down.',
    output: { name: 'Health', schema: healthSchema },
    example: { output: { status: 'ok', database: 'up' } },
  },
  me: {
    summary: 'The calling user',
    description:
      'The user row of the token’s `sub`, created on the first authenticated call from the token’s claims (`email` only when verified).',
    output: { name: 'User', schema: userSchema },
    example: {
      output: {
        id: ALICE,
        email: 'alice@example.com',
        name: 'Alice',
        createdAt: '2026-03-01T08:00:00.000Z',
      },
    },
  },
  'me.delete': {
    summary: 'Delete the calling user’s account and everything of it',
    description:
      'In one transaction: the user, their tasks (with those tasks’ shares), the shares they received, the teams they own (their members’ tasks stay with their owners, out of the team), their memberships, conversations and messages. Counts of what went come back. The people they shared with, received shares from or shared a team with see their figures and live dashboards change at once. `confirm` must be `true` (`BAD_REQUEST` otherwise, nothing deleted). The next call with the same token provisions a new, empty user: revoke the identity at the identity provider. Take `GET /me/export` first to keep a copy.',
    output: { name: 'DeletedAccount', schema: deletedAccountSchema },
    idempotencyKey: false,
    example: {
      input: { confirm: true },
      output: {
        userId: ALICE,
        tasks: 42,
        shares: 3,
        teams: 1,
        memberships: 4,
        conversations: 2,
        messages: 17,
      },
    },
  },
  'tasks.create': {
    summary: 'Create a task',
    description:
      'The caller owns it. `teamId` files it under a team the caller belongs to (`NOT_FOUND` otherwise); a task created `completed` gets `completedAt` = now.',
    output: { name: 'Task', schema: taskSchema },
    errors: ['NOT_FOUND'],
    example: {
      input: {
        title: 'Write the launch post',
        description: 'Two paragraphs and a screenshot.',
        priority: 'high',
        dueAt: '2026-03-06T17:00:00Z',
      },
      output: task,
    },
  },
  'tasks.get': {
    summary: 'Get a task the caller can see',
    description:
      'A task the caller cannot see does not exist for them: `NOT_FOUND`, exactly as for an id of nothing.',
    output: { name: 'Task', schema: taskSchema },
    errors: ['NOT_FOUND'],
    example: { input: { id: TASK_ID }, output: task },
  },
  'tasks.list': {
    summary: 'List the tasks the caller can see, newest first',
    description:
      'Filters narrow the list; every dashboard figure is one of these filters, so a number and the list behind it never disagree. Ranges are half-open (`from` included, `to` excluded). Keyset pages: pass `nextCursor` back as `cursor`, with the same filters, until it is null.',
    output: { name: 'TaskPage', schema: taskPage },
    example: {
      input: { scope: 'owned', status: 'pending', limit: 20 },
      output: { items: [task], nextCursor: CURSOR },
    },
  },
  'tasks.update': {
    summary: 'Change a task',
    description:
      'By its owner, users it is shared with at `edit`, and its team’s owners and admins (others who see it get `FORBIDDEN`). `status: completed` sets `completedAt`, `pending` clears it. With `expectedVersion`, a task changed since answers `CONFLICT` and nothing changes.',
    output: { name: 'Task', schema: taskSchema },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'CONFLICT'],
    example: {
      input: { id: TASK_ID, status: 'completed', expectedVersion: 1 },
      output: completedTask,
    },
  },
  'tasks.delete': {
    summary: 'Delete a task (its owner only)',
    description: 'Its shares go with it.',
    output: { name: 'DeletedTask', schema: deletedTaskSchema },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'CONFLICT'],
    example: { input: { id: TASK_ID }, output: { id: TASK_ID } },
  },
  'shares.create': {
    summary: 'Share a task with a user, or change their permission',
    description:
      'Its owner only. Name the user by `userId` or by `email` (exactly one); a user who never signed in is `NOT_FOUND`. Sharing again changes the permission.',
    output: { name: 'Share', schema: shareSchema },
    errors: ['NOT_FOUND', 'FORBIDDEN'],
    example: {
      input: { taskId: TASK_ID, email: 'bob@example.com', permission: 'edit' },
      output: share,
    },
  },
  'shares.delete': {
    summary: 'Stop sharing a task with a user',
    output: { name: 'DeletedShare', schema: deletedShareSchema },
    errors: ['NOT_FOUND', 'FORBIDDEN'],
    example: { input: { taskId: TASK_ID, userId: BOB }, output: { taskId: TASK_ID, userId: BOB } },
  },
  'shares.list': {
    summary: 'Who a task is shared with, oldest first',
    description: 'Its owner only.',
    output: { name: 'SharePage', schema: sharePage },
    errors: ['NOT_FOUND', 'FORBIDDEN'],
    example: { input: { taskId: TASK_ID }, output: { items: [share], nextCursor: null } },
  },
  'teams.create': {
    summary: 'Create a team',
    description: 'The caller becomes its `owner` member.',
    output: { name: 'Team', schema: teamSchema },
    example: { input: { name: 'Launch' }, output: { ...team, memberCount: 1 } },
  },
  'teams.list': {
    summary: 'The caller’s teams, newest first',
    output: { name: 'TeamPage', schema: teamPage },
    example: { input: { limit: 20 }, output: { items: [team], nextCursor: null } },
  },
  'teams.addMember': {
    summary: 'Add a member to a team, or change a member’s role',
    description:
      'Team owners and admins only; only owners grant or take away `owner`, and the last owner cannot be demoted (`CONFLICT`).',
    output: { name: 'TeamMember', schema: teamMemberSchema },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'CONFLICT'],
    example: {
      input: { teamId: TEAM_ID, email: 'bob@example.com', role: 'admin' },
      output: {
        teamId: TEAM_ID,
        userId: BOB,
        name: 'Bob',
        email: 'bob@example.com',
        role: 'admin',
        createdAt: '2026-03-02T10:30:00.000Z',
      },
    },
  },
  'teams.removeMember': {
    summary: 'Remove a member from a team, or leave it',
    description:
      'Owners and admins remove members (admins cannot remove owners); any member may leave; the last owner can neither leave nor be removed (`CONFLICT`). Tasks filed under the team stay with their owners.',
    output: { name: 'RemovedMember', schema: removedMemberSchema },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'CONFLICT'],
    example: {
      input: { teamId: TEAM_ID, userId: BOB },
      output: { teamId: TEAM_ID, userId: BOB },
    },
  },
  'conversations.create': {
    summary: 'Start an AI-chat conversation',
    description: 'Conversations and their messages are visible to their owner only.',
    output: { name: 'Conversation', schema: conversationSchema },
    example: { input: { title: 'Plan the launch' }, output: conversation },
  },
  'conversations.list': {
    summary: 'The caller’s conversations, newest first',
    output: { name: 'ConversationPage', schema: conversationPage },
    example: { input: { limit: 20 }, output: { items: [conversation], nextCursor: null } },
  },
  'messages.append': {
    summary: 'Add a message to one of the caller’s conversations',
    output: { name: 'Message', schema: messageSchema },
    errors: ['NOT_FOUND'],
    example: {
      input: {
        conversationId: CONVERSATION_ID,
        role: 'user',
        content: 'What is left before the launch?',
      },
      output: message,
    },
  },
  'messages.list': {
    summary: 'The messages of one of the caller’s conversations, oldest first',
    output: { name: 'MessagePage', schema: messagePage },
    errors: ['NOT_FOUND'],
    example: {
      input: { conversationId: CONVERSATION_ID },
      output: { items: [message], nextCursor: null },
    },
  },
  'dashboard.statistics': {
    summary: 'The caller’s task counts',
    description:
      'Owned tasks (`total`, `pending`, `completed`), tasks shared with the caller (`shared`) and owned pending tasks due before now (`overdue`). Served through the statistics cache; exact after every write made through the API.',
    output: { name: 'Statistics', schema: statisticsSchema },
    example: { output: statistics },
  },
  'dashboard.activity': {
    summary: 'Tasks created and completed today and this week',
    description:
      '“Today” and “this week” are local to `timeZone` (an IANA name, default UTC; an unknown zone is `BAD_REQUEST`), the week starting on `weekStartsOn` (0 = Sunday … 6 = Saturday, default 1). `window` gives the exact instants used.',
    output: { name: 'Activity', schema: activitySchema },
    example: { input: { timeZone: 'Europe/Berlin', weekStartsOn: 1 }, output: activity },
  },
  'dashboard.breakdown': {
    summary: 'Owned tasks by status and by priority',
    output: { name: 'Breakdown', schema: breakdownSchema },
    example: {
      output: {
        pending: 30,
        completed: 12,
        total: 42,
        byPriority: { low: 8, medium: 24, high: 10 },
      },
    },
  },
  'dashboard.shared': {
    summary: 'Tasks shared with the caller by permission, and owned tasks they shared',
    output: { name: 'SharedStats', schema: sharedStatsSchema },
    example: { output: { totalShared: 5, viewOnly: 3, canEdit: 2, sharedByMe: 4 } },
  },
  'dashboard.trend': {
    summary: 'Tasks created and completed per local day',
    description:
      'One entry per day for the last `days` days (1–366, default 30), today included, oldest first, zero-filled, in `timeZone`.',
    output: { name: 'Trend', schema: trendSchema },
    example: {
      input: { days: 3, timeZone: 'Europe/Berlin' },
      output: [
        { date: '2026-03-02', created: 5, completed: 1 },
        { date: '2026-03-03', created: 2, completed: 4 },
        { date: '2026-03-04', created: 4, completed: 2 },
      ] satisfies z.output<typeof trendDaySchema>[],
    },
  },
  'dashboard.live': {
    summary: 'Statistics and activity, live (server-sent events)',
    description:
      'A tRPC subscription over SSE: an `event: connected` first, then one message (`id:` and `data:` a JSON snapshot) at once and again after every write that changes the caller’s figures, an `event: ping` every 15 s, and `event: serialized-error` (data: the error shape) if the stream fails. Since a browser’s EventSource cannot send headers, the token may come as `connectionParams={"token":"…"}` instead of the Authorization header.',
    output: { name: 'LiveSnapshot', schema: liveSnapshotSchema },
    example: { input: { timeZone: 'Europe/Berlin' }, output: { statistics, activity } },
  },
} as const satisfies OperationDocs;

/**
 * Compiles only when every output schema above is exactly what its procedure answers (the
 * `satisfies` above checks one direction, and that no procedure is missing).
 */
type ExactOutputs<T extends { [P in TaskpulseProcedurePath]: true }> = T;
export type OutputsAreExact = ExactOutputs<{
  [P in TaskpulseProcedurePath]: Same<
    z.output<(typeof OPERATION_DOCS)[P]['output']['schema']>,
    OutputOf<P>
  >;
}>;
