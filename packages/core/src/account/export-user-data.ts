import { type RawBuilder, sql } from 'kysely';
import {
  type ConversationRow,
  type MessageRow,
  toConversationDto,
  toMessageDto,
} from '../chat/chat-service.ts';
import { queriesOf, runRead, type TaskpulseContext } from '../context.ts';
import { parseWith, TaskpulseError } from '../errors/index.ts';
import { cursorTimestamp } from '../pagination/index.ts';
import { toIso } from '../schema/inputs.ts';
import type { TeamRole } from '../schema/limits.ts';
import { type ShareRow, toShareDto } from '../sharing/share-service.ts';
import { type TaskRow, taskColumns, toTaskDto } from '../tasks/task-row.ts';
import { type TeamRow, toTeamDto } from '../teams/team-service.ts';
import { toUserDto, type UserRow } from '../users/user-service.ts';
import {
  type ExportRecord,
  type ExportUserDataOptions,
  exportUserDataOptionsSchema,
} from './schemas.ts';

/** A row that a keyset page can continue after: its created_at to the microsecond, and its id. */
interface Positioned {
  id: string;
  cursor_ts: string;
}

/** The condition "after `position`" over (created_at, id) of the rows aliased `alias`, oldest first. */
type After = (alias: string) => RawBuilder<boolean>;

/**
 * Every row of a query, read in keyset pages of `pageSize` ordered by (created_at, id): one
 * page in memory at a time, each page an index range scan that starts where the last one
 * ended (no OFFSET), so that the cost of a page does not grow with the pages before it.
 */
async function* keysetPages<R extends Positioned>(
  ctx: TaskpulseContext,
  pageSize: number,
  query: (after: After, limit: number) => RawBuilder<R>,
): AsyncGenerator<R[]> {
  let position: Positioned | undefined;
  for (;;) {
    const last = position;
    const after: After = (alias) =>
      last === undefined
        ? sql<boolean>`true`
        : sql<boolean>`(${sql.ref(`${alias}.created_at`)}, ${sql.ref(`${alias}.id`)}) > (${last.cursor_ts}::timestamptz, ${last.id}::uuid)`;
    const rows = await runRead(
      async () => (await query(after, pageSize).execute(queriesOf(ctx))).rows,
    );
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    position = rows.at(-1);
  }
}

const shareColumns = (alias: string) =>
  sql`s.id, s.task_id, s.permission, s.shared_by_user_id, s.shared_with_user_id, ${sql.ref(`${alias}.name`)},
    ${sql.ref(`${alias}.email`)}, s.created_at, ${cursorTimestamp('s.created_at')} as cursor_ts`;

/**
 * Everything of the calling user, as a stream of typed records (GDPR articles 15 and 20): the
 * user, the tasks they own, the shares of those tasks and the shares they received, the teams
 * they own and their memberships, their conversations each followed by its messages. Each
 * record has a `type` and the fields the API returns for that kind of object
 * ({@link exportRecordSchema}); text comes back exactly as stored.
 *
 * The rows are read in keyset pages of `pageSize` (no OFFSET), one page in memory at a time:
 * memory stays the same for a user with a million tasks, as long as the consumer takes the
 * records as they come. The pages are separate queries, not one snapshot: a row written while
 * the export runs may or may not be in it, and a row that exists throughout is in it exactly
 * once. The caller must be provisioned (`NOT_FOUND` otherwise, before any record).
 *
 * @example
 * ```ts
 * for await (const record of exportUserData(tp.context({ id: userId }))) {
 *   out.write(`${JSON.stringify(record)}\n`);
 * }
 * ```
 */
export async function* exportUserData(
  ctx: TaskpulseContext,
  options: ExportUserDataOptions = {},
): AsyncGenerator<ExportRecord, void, undefined> {
  const { pageSize } = parseWith(exportUserDataOptionsSchema, options, 'export options');
  const me = ctx.caller.id;

  const users = await runRead(
    async () =>
      (
        await sql<UserRow>`select id, email, name, created_at from users where id = ${me}`.execute(
          queriesOf(ctx),
        )
      ).rows,
  );
  const user = users[0];
  if (!user) throw new TaskpulseError('NOT_FOUND', 'The calling user is not provisioned yet.');
  yield { type: 'user', ...toUserDto(user) };

  const ownedTasks = (after: After, limit: number) =>
    sql<TaskRow>`select ${taskColumns(me)} from tasks t
      where t.user_id = ${me} and ${after('t')} order by t.created_at, t.id limit ${limit}`;
  for await (const rows of keysetPages(ctx, pageSize, ownedTasks)) {
    for (const row of rows) yield { type: 'task', ...toTaskDto(row) };
  }

  // a second pass over the task ids (an index-only scan), each page's shares by the task key
  for await (const tasks of keysetPages(
    ctx,
    pageSize,
    (after, limit) => sql<Positioned>`select t.id, ${cursorTimestamp('t.created_at')} as cursor_ts
      from tasks t where t.user_id = ${me} and ${after('t')} order by t.created_at, t.id limit ${limit}`,
  )) {
    const ids = tasks.map((task) => task.id);
    const shares = await runRead(
      async () =>
        (
          await sql<ShareRow>`select ${shareColumns('u')} from task_shares s
            join users u on u.id = s.shared_with_user_id
            where s.task_id = any(${ids}::uuid[])
            order by array_position(${ids}::uuid[], s.task_id), s.created_at, s.id`.execute(
            queriesOf(ctx),
          )
        ).rows,
    );
    for (const row of shares) yield { type: 'share', direction: 'given', ...toShareDto(row) };
  }

  const received = (after: After, limit: number) =>
    sql<ShareRow>`select ${shareColumns('u')} from task_shares s
      join users u on u.id = s.shared_with_user_id
      where s.shared_with_user_id = ${me} and ${after('s')} order by s.created_at, s.id limit ${limit}`;
  for await (const rows of keysetPages(ctx, pageSize, received)) {
    for (const row of rows) yield { type: 'share', direction: 'received', ...toShareDto(row) };
  }

  const teams = (after: After, limit: number) =>
    sql<TeamRow>`select t.id, t.name, t.owner_id, t.created_at, coalesce(mine.role, 'owner') as role,
        (select count(*)::int from team_members c where c.team_id = t.id) as member_count,
        ${cursorTimestamp('t.created_at')} as cursor_ts
      from teams t left join team_members mine on mine.team_id = t.id and mine.user_id = ${me}
      where t.owner_id = ${me} and ${after('t')} order by t.created_at, t.id limit ${limit}`;
  for await (const rows of keysetPages(ctx, pageSize, teams)) {
    for (const row of rows) yield { type: 'team', ...toTeamDto(row) };
  }

  const memberships = (after: After, limit: number) =>
    sql<MembershipRow>`select m.id, m.team_id, m.user_id, m.role, m.created_at, u.name, u.email,
        ${cursorTimestamp('m.created_at')} as cursor_ts
      from team_members m join users u on u.id = m.user_id
      where m.user_id = ${me} and ${after('m')} order by m.created_at, m.id limit ${limit}`;
  for await (const rows of keysetPages(ctx, pageSize, memberships)) {
    for (const row of rows) {
      yield {
        type: 'membership',
        teamId: row.team_id,
        userId: row.user_id,
        name: row.name,
        email: row.email,
        role: row.role,
        createdAt: toIso(row.created_at),
      };
    }
  }

  const conversations = (after: After, limit: number) =>
    sql<ConversationRow>`select c.id, c.title, c.created_at, c.updated_at,
        ${cursorTimestamp('c.created_at')} as cursor_ts
      from conversations c where c.user_id = ${me} and ${after('c')}
      order by c.created_at, c.id limit ${limit}`;
  for await (const rows of keysetPages(ctx, pageSize, conversations)) {
    for (const conversation of rows) {
      yield { type: 'conversation', ...toConversationDto(conversation) };
      const messages = (after: After, limit: number) =>
        sql<MessageRow>`select m.id, m.conversation_id, m.role, m.content, m.created_at,
            ${cursorTimestamp('m.created_at')} as cursor_ts
          from messages m where m.conversation_id = ${conversation.id} and ${after('m')}
          order by m.created_at, m.id limit ${limit}`;
      for await (const page of keysetPages(ctx, pageSize, messages)) {
        for (const row of page) yield { type: 'message', ...toMessageDto(row) };
      }
    }
  }
}

interface MembershipRow {
  id: string;
  team_id: string;
  user_id: string;
  role: TeamRole;
  created_at: Date;
  name: string | null;
  email: string | null;
  cursor_ts: string;
}
