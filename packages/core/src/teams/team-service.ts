import { type Kysely, sql } from 'kysely';
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
import type { TeamRole } from '../schema/limits.ts';
import { rethrowMissingCaller } from '../tasks/task-service.ts';
import { findUserId } from '../users/user-ref.ts';
import {
  type AddMemberInput,
  addMemberInput,
  type CreateTeamInput,
  createTeamInput,
  type ListTeamsInput,
  listTeamsInput,
  type RemovedMember,
  type RemoveMemberInput,
  removeMemberInput,
  type TeamDto,
  type TeamMemberDto,
} from './schemas.ts';

type Db = Kysely<TaskpulseDB>;

export interface TeamRow {
  id: string;
  name: string;
  owner_id: string;
  created_at: Date;
  role: TeamRole;
  member_count: number;
  cursor_ts: string;
}

export const toTeamDto = (row: TeamRow): TeamDto => ({
  id: row.id,
  name: row.name,
  ownerId: row.owner_id,
  createdAt: toIso(row.created_at),
  role: row.role,
  memberCount: Number(row.member_count),
});

const teamColumns = sql`t.id, t.name, t.owner_id, t.created_at, mine.role,
  (select count(*)::int from team_members c where c.team_id = t.id) as member_count,
  ${cursorTimestamp('t.created_at')} as cursor_ts`;

interface Membership {
  user_id: string;
  role: TeamRole;
  created_at: Date;
}

/**
 * Locks the team for the rest of the transaction (so that concurrent membership changes
 * cannot together leave it without an owner) and returns its members. A team the caller
 * does not belong to is `NOT_FOUND`.
 */
async function lockTeam(db: Db, me: string, teamId: string) {
  const team = await db
    .selectFrom('teams')
    .select(['id', 'owner_id'])
    .where('id', '=', teamId)
    .forUpdate()
    .executeTakeFirst();
  const members: Membership[] = team
    ? await db
        .selectFrom('team_members')
        .select(['user_id', 'role', 'created_at'])
        .where('team_id', '=', teamId)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    : [];
  const mine = members.find((member) => member.user_id === me);
  if (!team || !mine) {
    throw new TaskpulseError(
      'NOT_FOUND',
      'No such team: it does not exist or you are not a member.',
    );
  }
  return { team, members, myRole: mine.role };
}

const keepAnOwner = () =>
  new TaskpulseError('CONFLICT', 'A team must keep an owner: make another member owner first.');

/** Keeps `teams.owner_id` on an owner member: the earliest one, when it changes hands. */
async function syncOwnerId(db: Db, teamId: string, ownerId: string, members: Membership[]) {
  const owners = members.filter((member) => member.role === 'owner');
  if (owners.some((owner) => owner.user_id === ownerId) || !owners[0]) return;
  await db
    .updateTable('teams')
    .set({ owner_id: owners[0].user_id })
    .where('id', '=', teamId)
    .execute();
}

async function memberDto(db: Db, teamId: string, userId: string): Promise<TeamMemberDto> {
  const row = await db
    .selectFrom('team_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.team_id', 'm.user_id', 'm.role', 'm.created_at', 'u.name', 'u.email'])
    .where('m.team_id', '=', teamId)
    .where('m.user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return {
    teamId: row.team_id,
    userId: row.user_id,
    name: row.name,
    email: row.email,
    role: row.role,
    createdAt: toIso(row.created_at),
  };
}

/**
 * `teams.create`: a new team whose creator is its `owner` member.
 *
 * Inside the caller's transaction (`tp.context(caller, { em })`), joins it: see {@link runWrite}.
 * With `options.idempotencyKey`, retry-safe: see {@link WriteOptions}.
 */
export async function createTeam(
  ctx: TaskpulseContext,
  input: CreateTeamInput,
  options: WriteOptions = {},
): Promise<TeamDto> {
  const { name } = parseWith(createTeamInput, input, 'input');
  const me = ctx.caller.id;
  return runWrite(
    ctx,
    async (em) => {
      const db = em.getKysely<TaskpulseDB>();
      const now = ctx.now();
      const id = newId();
      await db
        .insertInto('teams')
        .values({ id, name, owner_id: me, created_at: now })
        .execute()
        .catch(rethrowMissingCaller);
      await db
        .insertInto('team_members')
        .values({ id: newId(), team_id: id, user_id: me, role: 'owner', created_at: now })
        .execute();
      const change: ChangeReport = { type: 'team.created', teamId: id, affectedUserIds: [me] };
      return {
        result: { id, name, ownerId: me, createdAt: toIso(now), role: 'owner', memberCount: 1 },
        change,
      };
    },
    { operation: 'teams.create', input: { name }, key: options.idempotencyKey },
  );
}

/** `teams.list`: the teams the caller belongs to, newest first, with the caller's role. */
export async function listTeams(
  ctx: TaskpulseContext,
  input: ListTeamsInput = {},
): Promise<Page<TeamDto>> {
  const data = parseWith(listTeamsInput, input, 'input');
  const me = ctx.caller.id;
  return runRead(async () => {
    const { rows } = await sql<TeamRow>`select ${teamColumns} from teams t
      join team_members mine on mine.team_id = t.id and mine.user_id = ${me}
      where ${afterCursor('t', data.cursor, 'desc')}
      order by t.created_at desc, t.id desc limit ${data.limit + 1}`.execute(queriesOf(ctx));
    return toPage(rows, data.limit, toTeamDto);
  });
}

/**
 * `teams.addMember`: owners and admins add a user (by id or email) with a role, or change a
 * member's role. Only owners grant or take away `owner`; the last owner stays one.
 *
 * Inside the caller's transaction (`tp.context(caller, { em })`), joins it: see {@link runWrite}.
 * With `options.idempotencyKey`, retry-safe: see {@link WriteOptions}.
 */
export async function addMember(
  ctx: TaskpulseContext,
  input: AddMemberInput,
  options: WriteOptions = {},
): Promise<TeamMemberDto> {
  const data = parseWith(addMemberInput, input, 'input');
  const me = ctx.caller.id;
  return runWrite(
    ctx,
    async (em) => {
      const db = em.getKysely<TaskpulseDB>();
      const { team, members, myRole } = await lockTeam(db, me, data.teamId);
      if (myRole === 'member') {
        throw new TaskpulseError('FORBIDDEN', 'Only team owners and admins add members.');
      }
      const userId = await findUserId(db, data, 'they can join a team');
      const existing = members.find((member) => member.user_id === userId);
      if (existing?.role === data.role) {
        return { result: await memberDto(db, team.id, userId), change: null };
      }
      if ((data.role === 'owner' || existing?.role === 'owner') && myRole !== 'owner') {
        throw new TaskpulseError(
          'FORBIDDEN',
          'Only team owners grant or take away the owner role.',
        );
      }
      const owners = members.filter((member) => member.role === 'owner');
      if (existing?.role === 'owner' && owners.length === 1) throw keepAnOwner();
      const now = ctx.now();
      if (existing) {
        await db
          .updateTable('team_members')
          .set({ role: data.role })
          .where('team_id', '=', team.id)
          .where('user_id', '=', userId)
          .execute();
        existing.role = data.role;
      } else {
        await db
          .insertInto('team_members')
          .values({
            id: newId(),
            team_id: team.id,
            user_id: userId,
            role: data.role,
            created_at: now,
          })
          .execute();
        members.push({ user_id: userId, role: data.role, created_at: now });
      }
      await syncOwnerId(db, team.id, team.owner_id, members);
      const change: ChangeReport = {
        type: existing ? 'team.member_updated' : 'team.member_added',
        teamId: team.id,
        affectedUserIds: uniqueUserIds(members.map((member) => member.user_id)),
      };
      return { result: await memberDto(db, team.id, userId), change };
    },
    { operation: 'teams.addMember', input: data, key: options.idempotencyKey },
  );
}

/**
 * `teams.removeMember`: owners and admins remove members (admins cannot remove owners), and
 * any member may leave; the last owner cannot go. The member's tasks stay theirs.
 *
 * Inside the caller's transaction (`tp.context(caller, { em })`), joins it: see {@link runWrite}.
 * With `options.idempotencyKey`, retry-safe: see {@link WriteOptions}.
 */
export async function removeMember(
  ctx: TaskpulseContext,
  input: RemoveMemberInput,
  options: WriteOptions = {},
): Promise<RemovedMember> {
  const data = parseWith(removeMemberInput, input, 'input');
  const me = ctx.caller.id;
  return runWrite(
    ctx,
    async (em) => {
      const db = em.getKysely<TaskpulseDB>();
      const { team, members, myRole } = await lockTeam(db, me, data.teamId);
      const leaving = data.userId === me;
      if (!leaving && myRole === 'member') {
        throw new TaskpulseError('FORBIDDEN', 'Only team owners and admins remove members.');
      }
      const target = members.find((member) => member.user_id === data.userId);
      if (!target) throw new TaskpulseError('NOT_FOUND', 'That user is not a member of this team.');
      if (!leaving && target.role === 'owner' && myRole !== 'owner') {
        throw new TaskpulseError('FORBIDDEN', 'Only team owners remove an owner.');
      }
      const owners = members.filter((member) => member.role === 'owner');
      if (target.role === 'owner' && owners.length === 1) throw keepAnOwner();
      await db
        .deleteFrom('team_members')
        .where('team_id', '=', team.id)
        .where('user_id', '=', data.userId)
        .execute();
      const remaining = members.filter((member) => member.user_id !== data.userId);
      await syncOwnerId(db, team.id, team.owner_id, remaining);
      const change: ChangeReport = {
        type: 'team.member_removed',
        teamId: team.id,
        affectedUserIds: uniqueUserIds(members.map((member) => member.user_id)),
      };
      return { result: { teamId: team.id, userId: data.userId }, change };
    },
    { operation: 'teams.removeMember', input: data, key: options.idempotencyKey },
  );
}
