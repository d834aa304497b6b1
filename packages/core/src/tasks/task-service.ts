import { type Kysely, sql } from 'kysely';
import { visibleTo } from '../access/index.ts';
import {
  type ChangeReport,
  queriesOf,
  runRead,
  runWrite,
  type TaskpulseContext,
} from '../context.ts';
import type { TaskpulseDB } from '../db/kysely.ts';
import { parseWith, TaskpulseError } from '../errors/index.ts';
import { uniqueUserIds } from '../events/index.ts';
import type { WriteOptions } from '../idempotency/index.ts';
import { afterCursor, type Page, toPage } from '../pagination/index.ts';
import { newId } from '../schema/entities.ts';
import { allOf, filterConditions, scopeParts } from './filters.ts';
import {
  type CreateTaskInput,
  createTaskInput,
  type DeletedTask,
  type DeleteTaskInput,
  deleteTaskInput,
  type GetTaskInput,
  getTaskInput,
  type ListTasksInput,
  listTasksInput,
  type TaskDto,
  type UpdateTaskInput,
  updateTaskInput,
} from './schemas.ts';
import { type TaskRow, taskColumns, toTaskDto } from './task-row.ts';

type Db = Kysely<TaskpulseDB>;

const taskNotFound = () =>
  new TaskpulseError('NOT_FOUND', 'No such task: it does not exist or you cannot see it.');
const teamNotFound = () =>
  new TaskpulseError('NOT_FOUND', 'No such team: it does not exist or you are not a member.');

/** Loads a task the caller can see, locking it for the rest of the transaction. */
export async function lockVisibleTask(db: Db, me: string, id: string): Promise<TaskRow> {
  const { rows } = await sql<TaskRow>`select ${taskColumns(me)} from tasks t
    where t.id = ${id} and ${visibleTo(me)} for update of t`.execute(db);
  const row = rows[0];
  if (!row) throw taskNotFound();
  return row;
}

/** Every user whose view of the task may change: owner, share recipients, team members. */
export async function usersAffectedByTask(
  db: Db,
  task: { id: string; user_id: string },
  teamIds: (string | null)[],
): Promise<string[]> {
  const teams = teamIds.filter((id): id is string => id !== null);
  const { rows } = await sql<{ user_id: string }>`
    select shared_with_user_id as user_id from task_shares where task_id = ${task.id}
    union select user_id from team_members where team_id = any(${teams}::uuid[])`.execute(db);
  return uniqueUserIds([task.user_id, ...rows.map((row) => row.user_id)]);
}

async function assertMemberOf(db: Db, me: string, teamId: string): Promise<void> {
  const member = await db
    .selectFrom('team_members')
    .select('id')
    .where('team_id', '=', teamId)
    .where('user_id', '=', me)
    .executeTakeFirst();
  if (!member) throw teamNotFound();
}

const selectTask = async (db: Db, me: string, id: string): Promise<TaskRow> => {
  const { rows } =
    await sql<TaskRow>`select ${taskColumns(me)} from tasks t where t.id = ${id}`.execute(db);
  if (!rows[0]) throw taskNotFound();
  return rows[0];
};

/**
 * `tasks.create`: a new task owned by the caller, optionally filed under one of the
 * caller's teams. A task created as `completed` gets `completedAt` = now.
 *
 * Inside the caller's transaction (`tp.context(caller, { em })`), joins it: see {@link runWrite}.
 * With `options.idempotencyKey`, retry-safe: see {@link WriteOptions}.
 */
export async function createTask(
  ctx: TaskpulseContext,
  input: CreateTaskInput,
  options: WriteOptions = {},
): Promise<TaskDto> {
  const data = parseWith(createTaskInput, input, 'input');
  const me = ctx.caller.id;
  return runWrite(
    ctx,
    async (em) => {
      const db = em.getKysely<TaskpulseDB>();
      const teamId = data.teamId ?? null;
      if (teamId) await assertMemberOf(db, me, teamId);
      const now = ctx.now();
      const status = data.status ?? 'pending';
      const id = newId();
      await db
        .insertInto('tasks')
        .values({
          id,
          user_id: me,
          team_id: teamId,
          title: data.title,
          description: data.description ?? null,
          status,
          priority: data.priority ?? 'medium',
          due_at: data.dueAt ?? null,
          created_at: now,
          updated_at: now,
          completed_at: status === 'completed' ? now : null,
          version: 1,
        })
        .execute()
        .catch(rethrowMissingCaller);
      const row = await selectTask(db, me, id);
      const change: ChangeReport = {
        type: 'task.created',
        taskId: id,
        teamId: teamId ?? undefined,
        affectedUserIds: await usersAffectedByTask(db, row, [teamId]),
      };
      return { result: toTaskDto(row), change };
    },
    { operation: 'tasks.create', input: data, key: options.idempotencyKey },
  );
}

/** `tasks.get`: a task the caller can see; `NOT_FOUND` otherwise. */
export async function getTask(ctx: TaskpulseContext, input: GetTaskInput): Promise<TaskDto> {
  const { id } = parseWith(getTaskInput, input, 'input');
  const me = ctx.caller.id;
  return runRead(async () => {
    const { rows } = await sql<TaskRow>`select ${taskColumns(me)} from tasks t
      where t.id = ${id} and ${visibleTo(me)}`.execute(queriesOf(ctx));
    if (!rows[0]) throw taskNotFound();
    return toTaskDto(rows[0]);
  });
}

/**
 * `tasks.list`: the caller's tasks in a scope, filtered, newest first (created_at, then id),
 * paged by keyset so that no task is skipped or repeated while others are inserted.
 */
export async function listTasks(
  ctx: TaskpulseContext,
  input: ListTasksInput = {},
): Promise<Page<TaskDto>> {
  const filter = parseWith(listTasksInput, input, 'input');
  const me = ctx.caller.id;
  const now = ctx.now();
  const conditions = filterConditions(filter, me, now);
  conditions.push(afterCursor('t', filter.cursor, 'desc'));
  const where = allOf(conditions);
  const take = filter.limit + 1;
  // each disjoint part of the scope is read in index order and limited on its own; the
  // union of the parts is then ordered and limited again
  const parts = scopeParts(filter, me).map(
    (part) => sql`(select ${taskColumns(me)} from tasks t where ${part} and ${where}
      order by t.created_at desc, t.id desc limit ${take})`,
  );
  return runRead(async () => {
    const { rows } = await sql<TaskRow>`select * from (${sql.join(parts, sql` union all `)}) as page
      order by created_at desc, id desc limit ${take}`.execute(queriesOf(ctx));
    return toPage(rows, filter.limit, toTaskDto);
  });
}

/**
 * `tasks.update`: changes the given fields. Editable by the owner, users it is shared with
 * at `edit`, and its team's owners and admins; moving it between teams is the owner's alone.
 * `version` increases on every update; `completedAt` is set when the status becomes
 * `completed` and cleared when it returns to `pending`. With `expectedVersion`, a task at
 * another version is a `CONFLICT` and nothing changes.
 *
 * Inside the caller's transaction (`tp.context(caller, { em })`), joins it: see {@link runWrite}.
 * With `options.idempotencyKey`, retry-safe: see {@link WriteOptions}.
 */
export async function updateTask(
  ctx: TaskpulseContext,
  input: UpdateTaskInput,
  options: WriteOptions = {},
): Promise<TaskDto> {
  const data = parseWith(updateTaskInput, input, 'input');
  const me = ctx.caller.id;
  return runWrite(
    ctx,
    async (em) => {
      const db = em.getKysely<TaskpulseDB>();
      const task = await lockVisibleTask(db, me, data.id);
      if (task.access === 'view') {
        throw new TaskpulseError('FORBIDDEN', 'You can see this task but not edit it.');
      }
      if (data.teamId !== undefined && data.teamId !== task.team_id) {
        if (task.access !== 'owner') {
          throw new TaskpulseError('FORBIDDEN', "Only the task's owner moves it between teams.");
        }
        if (data.teamId) await assertMemberOf(db, me, data.teamId);
      }
      if (data.expectedVersion !== undefined && data.expectedVersion !== task.version) {
        throw new TaskpulseError(
          'CONFLICT',
          `The task changed since you read it: it is at version ${task.version}, not ${data.expectedVersion}. Reload it and try again.`,
        );
      }
      const now = ctx.now();
      const completedAt =
        data.status === undefined
          ? undefined
          : data.status === 'completed'
            ? (task.completed_at ?? now)
            : null;
      await db
        .updateTable('tasks')
        .set({
          ...(data.title !== undefined && { title: data.title }),
          ...(data.description !== undefined && { description: data.description }),
          ...(data.priority !== undefined && { priority: data.priority }),
          ...(data.dueAt !== undefined && { due_at: data.dueAt }),
          ...(data.teamId !== undefined && { team_id: data.teamId }),
          ...(data.status !== undefined && { status: data.status, completed_at: completedAt }),
          updated_at: now,
          version: sql<number>`version + 1`,
        })
        .where('id', '=', task.id)
        .execute();
      const row = await selectTask(db, me, task.id);
      const change: ChangeReport = {
        type: 'task.updated',
        taskId: task.id,
        teamId: row.team_id ?? undefined,
        affectedUserIds: await usersAffectedByTask(db, row, [task.team_id, row.team_id]),
      };
      return { result: toTaskDto(row), change };
    },
    { operation: 'tasks.update', input: data, key: options.idempotencyKey },
  );
}

/**
 * `tasks.delete`: the owner deletes a task (and with it its shares).
 *
 * Inside the caller's transaction (`tp.context(caller, { em })`), joins it: see {@link runWrite}.
 * With `options.idempotencyKey`, retry-safe: see {@link WriteOptions}.
 */
export async function deleteTask(
  ctx: TaskpulseContext,
  input: DeleteTaskInput,
  options: WriteOptions = {},
): Promise<DeletedTask> {
  const data = parseWith(deleteTaskInput, input, 'input');
  const me = ctx.caller.id;
  return runWrite(
    ctx,
    async (em) => {
      const db = em.getKysely<TaskpulseDB>();
      const task = await lockVisibleTask(db, me, data.id);
      if (task.access !== 'owner') {
        throw new TaskpulseError('FORBIDDEN', "Only the task's owner deletes it.");
      }
      if (data.expectedVersion !== undefined && data.expectedVersion !== task.version) {
        throw new TaskpulseError(
          'CONFLICT',
          `The task changed since you read it: it is at version ${task.version}, not ${data.expectedVersion}.`,
        );
      }
      const affectedUserIds = await usersAffectedByTask(db, task, [task.team_id]);
      await db.deleteFrom('tasks').where('id', '=', task.id).execute();
      const change: ChangeReport = {
        type: 'task.deleted',
        taskId: task.id,
        teamId: task.team_id ?? undefined,
        affectedUserIds,
      };
      return { result: { id: task.id }, change };
    },
    { operation: 'tasks.delete', input: data, key: options.idempotencyKey },
  );
}

/** A write by a caller who has no user row yet fails on the foreign key: say so. */
export function rethrowMissingCaller(error: unknown): never {
  if (
    /foreign key/i.test(String((error as Error)?.message)) &&
    /user_id/.test(String((error as Error)?.message))
  ) {
    throw new TaskpulseError(
      'NOT_FOUND',
      'The calling user is not provisioned: call provisionUser() with their identity claims first.',
      { cause: error },
    );
  }
  throw error;
}
