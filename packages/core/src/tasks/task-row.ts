import { type RawBuilder, sql } from 'kysely';
import { accessOf } from '../access/index.ts';
import { cursorTimestamp } from '../pagination/index.ts';
import { toIso, toIsoOrNull } from '../schema/inputs.ts';
import type { TaskPriority, TaskStatus } from '../schema/limits.ts';
import type { TaskAccess, TaskDto } from './schemas.ts';

/** A task row as the queries of this module select it. */
export interface TaskRow {
  id: string;
  user_id: string;
  team_id: string | null;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  due_at: Date | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
  version: number;
  access: TaskAccess;
  cursor_ts: string;
}

/** The columns of a {@link TaskRow}, for a `tasks` row aliased `alias`, seen by `me`. */
export function taskColumns(me: string, alias = 't'): RawBuilder<TaskRow> {
  const c = (name: string) => sql.ref(`${alias}.${name}`);
  return sql<TaskRow>`${c('id')}, ${c('user_id')}, ${c('team_id')}, ${c('title')}, ${c('description')},
    ${c('status')}, ${c('priority')}, ${c('due_at')}, ${c('created_at')}, ${c('updated_at')},
    ${c('completed_at')}, ${c('version')}, ${accessOf(me, alias)} as access,
    ${cursorTimestamp(`${alias}.created_at`)} as cursor_ts`;
}

/** A {@link TaskRow} as the API returns it. */
export function toTaskDto(row: TaskRow): TaskDto {
  return {
    id: row.id,
    userId: row.user_id,
    teamId: row.team_id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    dueAt: toIsoOrNull(row.due_at),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    completedAt: toIsoOrNull(row.completed_at),
    version: Number(row.version),
    access: row.access,
  };
}
