import { type RawBuilder, sql } from 'kysely';
import type { SharePermission } from '../schema/limits.ts';
import type { TaskAccess } from '../tasks/schemas.ts';

/**
 * The access rules of SPEC.md as SQL predicates over a `tasks` row (alias `t` by default),
 * so that visibility is always decided by the database, never by filtering rows in
 * JavaScript.
 *
 * - visible: the owner, users it is shared with, members of its team;
 * - editable: the owner, users it is shared with at `edit`, its team's owners and admins;
 * - only the owner deletes it or changes its shares.
 */
const col = (alias: string, column: string) => sql.ref(`${alias}.${column}`);

/** The caller owns the task. */
export function ownedBy(me: string, alias = 't'): RawBuilder<boolean> {
  return sql<boolean>`${col(alias, 'user_id')} = ${me}`;
}

/** The task is shared with the caller (at `permission`, when given). */
export function sharedWith(
  me: string,
  permission?: SharePermission,
  alias = 't',
): RawBuilder<boolean> {
  const atPermission = permission ? sql`and s.permission = ${permission}` : sql``;
  return sql<boolean>`exists (select 1 from task_shares s where s.task_id = ${col(alias, 'id')} and s.shared_with_user_id = ${me} ${atPermission})`;
}

/** The task is filed under a team the caller belongs to (with one of `roles`, when given). */
export function inTeamOf(
  me: string,
  roles?: readonly ('owner' | 'admin' | 'member')[],
  alias = 't',
): RawBuilder<boolean> {
  const withRole = roles ? sql`and m.role in (${sql.join(roles)})` : sql``;
  return sql<boolean>`(${col(alias, 'team_id')} is not null and exists (select 1 from team_members m where m.team_id = ${col(alias, 'team_id')} and m.user_id = ${me} ${withRole}))`;
}

/** The caller may see the task. */
export function visibleTo(me: string, alias = 't'): RawBuilder<boolean> {
  return sql<boolean>`(${ownedBy(me, alias)} or ${sharedWith(me, undefined, alias)} or ${inTeamOf(me, undefined, alias)})`;
}

/** The caller may edit the task's title, description, priority, due date and status. */
export function editableBy(me: string, alias = 't'): RawBuilder<boolean> {
  return sql<boolean>`(${ownedBy(me, alias)} or ${sharedWith(me, 'edit', alias)} or ${inTeamOf(me, ['owner', 'admin'], alias)})`;
}

/** What the caller may do with a visible task: `owner`, `edit` or `view`. */
export function accessOf(me: string, alias = 't'): RawBuilder<TaskAccess> {
  return sql<TaskAccess>`case when ${ownedBy(me, alias)} then 'owner' when ${editableBy(me, alias)} then 'edit' else 'view' end`;
}
