import { sql } from 'kysely';
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
import { afterCursor, cursorTimestamp, type Page, toPage } from '../pagination/index.ts';
import { newId } from '../schema/entities.ts';
import { toIso } from '../schema/inputs.ts';
import type { SharePermission } from '../schema/limits.ts';
import { lockVisibleTask } from '../tasks/task-service.ts';
import { findUserId } from '../users/user-ref.ts';
import {
  type CreateShareInput,
  createShareInput,
  type DeletedShare,
  type DeleteShareInput,
  deleteShareInput,
  type ListSharesInput,
  listSharesInput,
  type ShareDto,
} from './schemas.ts';

export interface ShareRow {
  id: string;
  task_id: string;
  permission: SharePermission;
  shared_by_user_id: string;
  shared_with_user_id: string;
  name: string | null;
  email: string | null;
  created_at: Date;
  cursor_ts: string;
}

export const toShareDto = (row: ShareRow): ShareDto => ({
  id: row.id,
  taskId: row.task_id,
  permission: row.permission,
  sharedByUserId: row.shared_by_user_id,
  sharedWith: { id: row.shared_with_user_id, name: row.name, email: row.email },
  createdAt: toIso(row.created_at),
});

const shareColumns = sql`s.id, s.task_id, s.permission, s.shared_by_user_id, s.shared_with_user_id,
  u.name, u.email, s.created_at, ${cursorTimestamp('s.created_at')} as cursor_ts`;

const onlyOwnerShares = () =>
  new TaskpulseError('FORBIDDEN', "Only the task's owner changes who it is shared with.");

/**
 * `shares.create`: the owner shares a task with another user (by id or email) at `view` or
 * `edit`; sharing again with the same user changes the permission. A task is never shared
 * with its owner (`VALIDATION`); an unknown user is `NOT_FOUND`.
 *
 * Inside the caller's transaction (`tp.context(caller, { em })`), joins it: see {@link runWrite}.
 * With `options.idempotencyKey`, retry-safe: see {@link WriteOptions}.
 */
export async function createShare(
  ctx: TaskpulseContext,
  input: CreateShareInput,
  options: WriteOptions = {},
): Promise<ShareDto> {
  const data = parseWith(createShareInput, input, 'input');
  const me = ctx.caller.id;
  return runWrite(
    ctx,
    async (em) => {
      const db = em.getKysely<TaskpulseDB>();
      const task = await lockVisibleTask(db, me, data.taskId);
      if (task.access !== 'owner') throw onlyOwnerShares();
      const recipientId = await findUserId(db, data, 'tasks can be shared with them');
      if (recipientId === task.user_id) {
        throw new TaskpulseError('VALIDATION', 'A task cannot be shared with its owner.', {
          issues: [
            {
              path: [data.userId !== undefined ? 'userId' : 'email'],
              message: 'is the task owner',
            },
          ],
        });
      }
      const { rows } = await sql<{ id: string; inserted: boolean }>`
      insert into task_shares (id, task_id, shared_with_user_id, shared_by_user_id, permission, created_at)
      values (${newId()}, ${task.id}, ${recipientId}, ${me}, ${data.permission}, ${ctx.now()})
      on conflict (task_id, shared_with_user_id) do update set permission = excluded.permission
      returning id, (xmax = 0) as inserted`.execute(db);
      const saved = rows[0]!;
      const { rows: shares } = await sql<ShareRow>`select ${shareColumns} from task_shares s
      join users u on u.id = s.shared_with_user_id where s.id = ${saved.id}`.execute(db);
      const change: ChangeReport = {
        type: saved.inserted ? 'share.created' : 'share.updated',
        taskId: task.id,
        affectedUserIds: uniqueUserIds([task.user_id, recipientId]),
      };
      return { result: toShareDto(shares[0]!), change };
    },
    { operation: 'shares.create', input: data, key: options.idempotencyKey },
  );
}

/**
 * `shares.delete`: the owner stops sharing a task with a user.
 *
 * Inside the caller's transaction (`tp.context(caller, { em })`), joins it: see {@link runWrite}.
 * With `options.idempotencyKey`, retry-safe: see {@link WriteOptions}.
 */
export async function deleteShare(
  ctx: TaskpulseContext,
  input: DeleteShareInput,
  options: WriteOptions = {},
): Promise<DeletedShare> {
  const data = parseWith(deleteShareInput, input, 'input');
  const me = ctx.caller.id;
  return runWrite(
    ctx,
    async (em) => {
      const db = em.getKysely<TaskpulseDB>();
      const task = await lockVisibleTask(db, me, data.taskId);
      if (task.access !== 'owner') throw onlyOwnerShares();
      const deleted = await db
        .deleteFrom('task_shares')
        .where('task_id', '=', task.id)
        .where('shared_with_user_id', '=', data.userId)
        .returning('id')
        .executeTakeFirst();
      if (!deleted) {
        throw new TaskpulseError('NOT_FOUND', 'This task is not shared with that user.');
      }
      const change: ChangeReport = {
        type: 'share.deleted',
        taskId: task.id,
        affectedUserIds: uniqueUserIds([task.user_id, data.userId]),
      };
      return { result: { taskId: task.id, userId: data.userId }, change };
    },
    { operation: 'shares.delete', input: data, key: options.idempotencyKey },
  );
}

/** `shares.list`: who a task is shared with, oldest share first; for its owner only. */
export async function listShares(
  ctx: TaskpulseContext,
  input: ListSharesInput,
): Promise<Page<ShareDto>> {
  const data = parseWith(listSharesInput, input, 'input');
  const me = ctx.caller.id;
  return runRead(async () => {
    const db = queriesOf(ctx);
    const { rows: tasks } = await sql<{ user_id: string }>`select t.user_id from tasks t
      where t.id = ${data.taskId} and ${visibleTo(me)}`.execute(db);
    const task = tasks[0];
    if (!task)
      throw new TaskpulseError(
        'NOT_FOUND',
        'No such task: it does not exist or you cannot see it.',
      );
    if (task.user_id !== me)
      throw new TaskpulseError('FORBIDDEN', "Only the task's owner sees who it is shared with.");
    const { rows } = await sql<ShareRow>`select ${shareColumns} from task_shares s
      join users u on u.id = s.shared_with_user_id
      where s.task_id = ${data.taskId} and ${afterCursor('s', data.cursor, 'asc')}
      order by s.created_at, s.id limit ${data.limit + 1}`.execute(db);
    return toPage(rows, data.limit, toShareDto);
  });
}
