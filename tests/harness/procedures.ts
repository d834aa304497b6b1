/**
 * Every procedure of the API with an input, as the fuzzers see it: how it is called, a valid
 * input (built on the ids of objects that exist), and the kind of each field.
 */
import {
  activityInput,
  addMemberInput,
  appendMessageInput,
  createConversationInput,
  createShareInput,
  createTaskInput,
  createTeamInput,
  deleteShareInput,
  deleteTaskInput,
  getTaskInput,
  LIMITS,
  listConversationsInput,
  listMessagesInput,
  listSharesInput,
  listTasksInput,
  listTeamsInput,
  MESSAGE_ROLES,
  noInput,
  removeMemberInput,
  SHARE_PERMISSIONS,
  TASK_PRIORITIES,
  TASK_SCOPES,
  TASK_STATUSES,
  TEAM_ROLES,
  trendInput,
  updateTaskInput,
} from '@taskpulse/core';
import type { z } from 'zod';
import type { FieldSpec } from './hostile.ts';
import type { CallKind } from './wire.ts';

/** Ids of objects that exist, owned by the caller, that valid inputs point at. */
export interface Fixtures {
  taskId: string;
  teamId: string;
  conversationId: string;
  /** Another user (a member of the team, the task is shared with them). */
  otherUserId: string;
  /** A cursor of the right shape. */
  cursor: string;
}

/** A procedure as the fuzzers call it. */
export interface ProcedureSpec {
  name: string;
  kind: CallKind;
  /** The schema core validates the input with, to check that `valid` is valid. */
  schema: z.ZodType;
  /** A valid input. */
  valid: (f: Fixtures) => Record<string, unknown>;
  /** Every field the input takes. */
  fields: Record<string, FieldSpec>;
  /**
   * Fields that a bad value in the key field may make the API name too (a rule across
   * fields, such as "exactly one of userId and email").
   */
  related?: Record<string, string[]>;
}

const uuid = { type: 'uuid' } as const;
const cursor = { type: 'cursor' } as const;
const limit = { type: 'int', min: 1, max: 100 } as const;
const instant = { type: 'instant' } as const;
const userId = { type: 'text', min: LIMITS.userId.min, max: LIMITS.userId.max } as const;
const email = { type: 'email' } as const;
const timeZone = { type: 'timeZone' } as const;
const enumOf = (values: readonly string[]) => ({ type: 'enum', values }) as const;
const exactlyOneUser = { email: ['userId'], userId: ['userId'] };

export const PROCEDURES: readonly ProcedureSpec[] = [
  {
    name: 'tasks.create',
    kind: 'mutation',
    schema: createTaskInput,
    valid: (f) => ({
      title: 'a title',
      description: 'a description',
      status: 'pending',
      priority: 'low',
      dueAt: '2030-01-01T00:00:00Z',
      teamId: f.teamId,
    }),
    fields: {
      title: { type: 'text', min: LIMITS.taskTitle.min, max: LIMITS.taskTitle.max, required: true },
      description: { type: 'text', min: 0, max: LIMITS.taskDescription.max, nullable: true },
      status: enumOf(TASK_STATUSES),
      priority: enumOf(TASK_PRIORITIES),
      dueAt: { ...instant, nullable: true },
      teamId: { ...uuid, nullable: true },
    },
  },
  {
    name: 'tasks.get',
    kind: 'query',
    schema: getTaskInput,
    valid: (f) => ({ id: f.taskId }),
    fields: { id: { ...uuid, required: true } },
  },
  {
    name: 'tasks.list',
    kind: 'query',
    schema: listTasksInput,
    valid: (f) => ({
      scope: 'all',
      status: 'pending',
      priority: 'low',
      overdue: false,
      sharedByMe: false,
      teamId: f.teamId,
      createdFrom: '2020-01-01T00:00:00Z',
      createdTo: '2040-01-01T00:00:00Z',
      completedFrom: '2020-01-01T00:00:00Z',
      completedTo: '2040-01-01T00:00:00Z',
      limit: 5,
      cursor: f.cursor,
    }),
    fields: {
      scope: enumOf(TASK_SCOPES),
      status: enumOf(TASK_STATUSES),
      priority: enumOf(TASK_PRIORITIES),
      overdue: { type: 'boolean' },
      permission: enumOf(SHARE_PERMISSIONS),
      sharedByMe: { type: 'boolean' },
      teamId: uuid,
      createdFrom: instant,
      createdTo: instant,
      completedFrom: instant,
      completedTo: instant,
      limit,
      cursor,
    },
  },
  {
    name: 'tasks.update',
    kind: 'mutation',
    schema: updateTaskInput,
    valid: (f) => ({
      id: f.taskId,
      title: 'changed',
      description: null,
      status: 'completed',
      priority: 'high',
      dueAt: null,
      teamId: f.teamId,
      expectedVersion: 1,
    }),
    fields: {
      id: { ...uuid, required: true },
      title: { type: 'text', min: LIMITS.taskTitle.min, max: LIMITS.taskTitle.max },
      description: { type: 'text', min: 0, max: LIMITS.taskDescription.max, nullable: true },
      status: enumOf(TASK_STATUSES),
      priority: enumOf(TASK_PRIORITIES),
      dueAt: { ...instant, nullable: true },
      teamId: { ...uuid, nullable: true },
      expectedVersion: { type: 'int', min: 1 },
    },
  },
  {
    name: 'tasks.delete',
    kind: 'mutation',
    schema: deleteTaskInput,
    valid: (f) => ({ id: f.taskId, expectedVersion: 1 }),
    fields: { id: { ...uuid, required: true }, expectedVersion: { type: 'int', min: 1 } },
  },
  {
    name: 'shares.create',
    kind: 'mutation',
    schema: createShareInput,
    valid: (f) => ({ taskId: f.taskId, userId: f.otherUserId, permission: 'view' }),
    fields: {
      taskId: { ...uuid, required: true },
      userId,
      email,
      permission: { ...enumOf(SHARE_PERMISSIONS), required: true },
    },
    related: exactlyOneUser,
  },
  {
    name: 'shares.delete',
    kind: 'mutation',
    schema: deleteShareInput,
    valid: (f) => ({ taskId: f.taskId, userId: f.otherUserId }),
    fields: { taskId: { ...uuid, required: true }, userId: { ...userId, required: true } },
  },
  {
    name: 'shares.list',
    kind: 'query',
    schema: listSharesInput,
    valid: (f) => ({ taskId: f.taskId, limit: 5, cursor: f.cursor }),
    fields: { taskId: { ...uuid, required: true }, limit, cursor },
  },
  {
    name: 'teams.create',
    kind: 'mutation',
    schema: createTeamInput,
    valid: () => ({ name: 'a team' }),
    fields: {
      name: { type: 'text', min: LIMITS.teamName.min, max: LIMITS.teamName.max, required: true },
    },
  },
  {
    name: 'teams.list',
    kind: 'query',
    schema: listTeamsInput,
    valid: (f) => ({ limit: 5, cursor: f.cursor }),
    fields: { limit, cursor },
  },
  {
    name: 'teams.addMember',
    kind: 'mutation',
    schema: addMemberInput,
    valid: (f) => ({ teamId: f.teamId, userId: f.otherUserId, role: 'member' }),
    fields: { teamId: { ...uuid, required: true }, userId, email, role: enumOf(TEAM_ROLES) },
    related: exactlyOneUser,
  },
  {
    name: 'teams.removeMember',
    kind: 'mutation',
    schema: removeMemberInput,
    valid: (f) => ({ teamId: f.teamId, userId: f.otherUserId }),
    fields: { teamId: { ...uuid, required: true }, userId: { ...userId, required: true } },
  },
  {
    name: 'conversations.create',
    kind: 'mutation',
    schema: createConversationInput,
    valid: () => ({ title: 'a chat' }),
    fields: {
      title: { type: 'text', min: 0, max: LIMITS.conversationTitle.max, nullable: true },
    },
  },
  {
    name: 'conversations.list',
    kind: 'query',
    schema: listConversationsInput,
    valid: (f) => ({ limit: 5, cursor: f.cursor }),
    fields: { limit, cursor },
  },
  {
    name: 'messages.append',
    kind: 'mutation',
    schema: appendMessageInput,
    valid: (f) => ({ conversationId: f.conversationId, role: 'user', content: 'hello' }),
    fields: {
      conversationId: { ...uuid, required: true },
      role: { ...enumOf(MESSAGE_ROLES), required: true },
      content: {
        type: 'text',
        min: LIMITS.messageContent.min,
        max: LIMITS.messageContent.max,
        required: true,
      },
    },
  },
  {
    name: 'messages.list',
    kind: 'query',
    schema: listMessagesInput,
    valid: (f) => ({ conversationId: f.conversationId, limit: 5, cursor: f.cursor }),
    fields: { conversationId: { ...uuid, required: true }, limit, cursor },
  },
  ...(['statistics', 'breakdown', 'shared'] as const).map(
    (figure): ProcedureSpec => ({
      name: `dashboard.${figure}`,
      kind: 'query',
      schema: noInput,
      valid: () => ({}),
      fields: {},
    }),
  ),
  {
    name: 'dashboard.activity',
    kind: 'query',
    schema: activityInput,
    valid: () => ({ timeZone: 'Europe/Berlin', weekStartsOn: 0 }),
    fields: { timeZone, weekStartsOn: { type: 'int', min: 0, max: 6 } },
  },
  {
    name: 'dashboard.trend',
    kind: 'query',
    schema: trendInput,
    valid: () => ({ days: 7, timeZone: 'America/New_York' }),
    fields: { days: { type: 'int', min: 1, max: 366 }, timeZone },
  },
  {
    name: 'dashboard.live',
    kind: 'subscription',
    schema: activityInput,
    valid: () => ({ timeZone: 'Asia/Kolkata', weekStartsOn: 6 }),
    fields: { timeZone, weekStartsOn: { type: 'int', min: 0, max: 6 } },
  },
];

/** The procedures that take no input at all: whatever is sent is ignored. */
export const NO_INPUT_PROCEDURES = [
  { name: 'me', kind: 'query', authed: true },
  { name: 'health', kind: 'query', authed: false },
] as const;
