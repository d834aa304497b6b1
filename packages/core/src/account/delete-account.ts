import { sql } from 'kysely';
import { type ChangeReport, runWrite, type TaskpulseContext } from '../context.ts';
import type { TaskpulseDB } from '../db/kysely.ts';
import { parseWith, TaskpulseError } from '../errors/index.ts';
import { uniqueUserIds } from '../events/change-event.ts';
import { type DeleteAccountInput, type DeletedAccount, deleteAccountInput } from './schemas.ts';

interface Counts {
  tasks: number;
  shares: number;
  teams: number;
  memberships: number;
  conversations: number;
  messages: number;
}

/**
 * `me.delete`: deletes the calling user and everything that hangs from them, in one
 * transaction: their tasks (with those tasks' shares), the shares they received, the teams they
 * own (with those teams' memberships; their members' tasks stay with their owners, out of the
 * team), their memberships, their conversations and messages. The per-user counters of everyone
 * else stay exact (the database's triggers follow the cascade), and one `user.deleted` change
 * event names every user whose figures or lists it touches (the people the user shared with or
 * received shares from, and the members of the user's teams), so that their cached figures and
 * live dashboards change at once. Answers how many rows of each kind went.
 *
 * `input` must be `{ confirm: true }` (`VALIDATION` otherwise, nothing deleted). A caller who has
 * no user row is `NOT_FOUND`. A later call with the same identity provisions a new, empty user:
 * revoking the identity is the identity provider's business.
 *
 * Inside the caller's transaction (`tp.context(caller, { em })`), joins it: see {@link runWrite}.
 */
export async function deleteAccount(
  ctx: TaskpulseContext,
  input: DeleteAccountInput,
): Promise<DeletedAccount> {
  parseWith(deleteAccountInput, input, 'input');
  const me = ctx.caller.id;
  return runWrite(ctx, async (em) => {
    const db = em.getKysely<TaskpulseDB>();
    // the user row, locked: rows that would refer to the user (a new task, share or membership)
    // wait for this transaction, so that the counts and the affected users are complete
    const { rows: found } = await sql<{
      id: string;
    }>`select id from users where id = ${me} for update`.execute(db);
    if (!found[0]) {
      throw new TaskpulseError(
        'NOT_FOUND',
        'The calling user is not provisioned: there is no account to delete.',
      );
    }
    const { rows: affected } = await sql<{ user_id: string }>`
      select s.shared_with_user_id as user_id from task_shares s
        join tasks t on t.id = s.task_id where t.user_id = ${me}
      union select t.user_id from task_shares s
        join tasks t on t.id = s.task_id where s.shared_with_user_id = ${me}
      union select others.user_id from team_members mine
        join team_members others on others.team_id = mine.team_id where mine.user_id = ${me}
      union select m.user_id from teams tm
        join team_members m on m.team_id = tm.id where tm.owner_id = ${me}`.execute(db);
    const { rows: counted } = await sql<Counts>`select
        (select count(*)::int from tasks where user_id = ${me}) as tasks,
        (select count(*)::int from task_shares s where s.shared_with_user_id = ${me}
          or s.shared_by_user_id = ${me}
          or exists (select 1 from tasks t where t.id = s.task_id and t.user_id = ${me})) as shares,
        (select count(*)::int from teams where owner_id = ${me}) as teams,
        (select count(*)::int from team_members m where m.user_id = ${me}
          or m.team_id in (select id from teams where owner_id = ${me})) as memberships,
        (select count(*)::int from conversations where user_id = ${me}) as conversations,
        (select count(*)::int from messages m where m.user_id = ${me}
          or m.conversation_id in (select id from conversations where user_id = ${me})) as messages`.execute(
      db,
    );
    // the foreign keys cascade (SPEC "Data model"), and the counter triggers follow them
    await db.deleteFrom('users').where('id', '=', me).execute();
    const counts = counted[0] as Counts;
    const change: ChangeReport = {
      type: 'user.deleted',
      affectedUserIds: uniqueUserIds([me, ...affected.map((row) => row.user_id)]),
    };
    return { result: { userId: me, ...counts }, change };
  });
}
