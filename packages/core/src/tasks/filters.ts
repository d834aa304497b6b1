import { type RawBuilder, sql } from 'kysely';
import { inTeamOf, ownedBy, sharedWith } from '../access/index.ts';
import type { TaskFilter } from './schemas.ts';

const TRUE = sql<boolean>`true`;

/** A range bound: an instant, or an SQL expression of one (a statistic's time window). */
export type Bound = Date | RawBuilder<Date>;

/**
 * The conditions of a {@link TaskFilter} besides its scope, with range bounds that may be SQL
 * expressions, so that the statistics can use the very same definitions with windows that
 * PostgreSQL computes.
 */
export type FilterConditions = Omit<
  TaskFilter,
  'scope' | 'permission' | 'createdFrom' | 'createdTo' | 'completedFrom' | 'completedTo'
> & { createdFrom?: Bound; createdTo?: Bound; completedFrom?: Bound; completedTo?: Bound };

/**
 * The conditions a task filter puts on a `tasks` row (alias `alias`), besides its scope.
 * This is the one definition of every filter: `tasks.list` applies it, and the statistics
 * are defined as filters, so a figure and the list behind it cannot disagree.
 */
export function filterConditions(
  filter: FilterConditions,
  me: string,
  now: Date,
  alias = 't',
): RawBuilder<boolean>[] {
  const c = (name: string) => sql.ref(`${alias}.${name}`);
  const conditions: RawBuilder<boolean>[] = [];
  if (filter.status !== undefined) conditions.push(sql<boolean>`${c('status')} = ${filter.status}`);
  if (filter.priority !== undefined) {
    conditions.push(sql<boolean>`${c('priority')} = ${filter.priority}`);
  }
  if (filter.overdue !== undefined) {
    const overdue = sql<boolean>`(${c('status')} = 'pending' and ${c('due_at')} < ${now})`;
    conditions.push(filter.overdue ? overdue : sql<boolean>`not coalesce(${overdue}, false)`);
  }
  if (filter.sharedByMe !== undefined) {
    const sharedByMe = sql<boolean>`(${ownedBy(me, alias)} and exists (select 1 from task_shares s2 where s2.task_id = ${c('id')}))`;
    conditions.push(filter.sharedByMe ? sharedByMe : sql<boolean>`not ${sharedByMe}`);
  }
  if (filter.teamId !== undefined)
    conditions.push(sql<boolean>`${c('team_id')} = ${filter.teamId}`);
  if (filter.createdFrom)
    conditions.push(sql<boolean>`${c('created_at')} >= ${filter.createdFrom}`);
  if (filter.createdTo) conditions.push(sql<boolean>`${c('created_at')} < ${filter.createdTo}`);
  if (filter.completedFrom) {
    conditions.push(sql<boolean>`${c('completed_at')} >= ${filter.completedFrom}`);
  }
  if (filter.completedTo)
    conditions.push(sql<boolean>`${c('completed_at')} < ${filter.completedTo}`);
  return conditions;
}

/** The conditions joined with `and` (true when there are none). */
export function allOf(conditions: RawBuilder<boolean>[]): RawBuilder<boolean> {
  return conditions.length === 0 ? TRUE : sql<boolean>`(${sql.join(conditions, sql` and `)})`;
}

/**
 * The scope of a filter as disjoint parts, each an index-friendly predicate: a task in
 * scope `all` is in exactly one of "owned", "shared with me", "in my team (neither)".
 */
export function scopeParts(
  filter: Pick<TaskFilter, 'scope' | 'permission'>,
  me: string,
  alias = 't',
): RawBuilder<boolean>[] {
  const owned = ownedBy(me, alias);
  const notOwned = sql<boolean>`not ${owned}`;
  const shared = sql<boolean>`(${notOwned} and ${sharedWith(me, filter.permission, alias)})`;
  switch (filter.scope) {
    case 'owned':
      return [owned];
    case 'shared':
      return [shared];
    case 'team':
      return [inTeamOf(me, undefined, alias)];
    case 'all':
      return [
        owned,
        shared,
        sql<boolean>`(${notOwned} and not ${sharedWith(me, undefined, alias)} and ${inTeamOf(me, undefined, alias)})`,
      ];
  }
}
