import { sql } from 'kysely';
import { queriesOf, runRead, type TaskpulseContext } from '../context.ts';
import { toTaskpulseError } from '../db/errors.ts';
import type { TaskpulseEntityManager } from '../db/open.ts';
import { parseWith, TaskpulseError } from '../errors/index.ts';
import { type UserClaims, type UserDto, userClaimsSchema } from './schemas.ts';

export interface UserRow {
  id: string;
  email: string | null;
  name: string | null;
  created_at: Date;
}

export const toUserDto = (row: UserRow): UserDto => ({
  id: row.id,
  email: row.email,
  name: row.name,
  createdAt: new Date(row.created_at).toISOString(),
});

/**
 * Just-in-time provisioning: creates the user on their first authenticated call, and keeps
 * email and name in step with the identity provider's claims afterwards. An email that
 * another user already has is not taken over: the user is kept (or created) without it.
 *
 * Inside a transaction (`em` of `em.transactional()`), the user row is written in it, and
 * commits or rolls back with it — so an app can create a user and rows that refer to it at
 * once. (`tp.provisionUser` always writes on its own.)
 */
export async function provisionUser(
  em: TaskpulseEntityManager,
  claims: UserClaims,
  now: Date = new Date(),
): Promise<{ user: UserDto; created: boolean }> {
  const { id, email, name } = parseWith(userClaimsSchema, claims, 'user claims');
  const joined = em.isInTransaction();
  const db = joined ? em.getKysely() : em.fork().getKysely();
  const upsert = (withEmail: string | null) => {
    const statement = (target: typeof db) =>
      sql<UserRow & { inserted: boolean }>`
      insert into users (id, email, name, created_at) values (${id}, ${withEmail}, ${name}, ${now})
      on conflict (id) do update set email = excluded.email, name = excluded.name
        where users.email is distinct from excluded.email or users.name is distinct from excluded.name
      returning id, email, name, created_at, (xmax = 0) as inserted`.execute(target);
    // in the caller's transaction, a savepoint: a taken email must not abort the transaction
    return joined ? em.transactional((tx) => statement(tx.getKysely())) : statement(db);
  };
  try {
    let result: Awaited<ReturnType<typeof upsert>>;
    try {
      result = await upsert(email);
    } catch (error) {
      const code = (error as { code?: string; cause?: { code?: string } }).code;
      if (email === null || !/unique/i.test(String((error as Error).message ?? code))) throw error;
      result = await upsert(null);
    }
    const row = result.rows[0];
    if (row) return { user: toUserDto(row), created: row.inserted };
    // nothing changed: the row is there as it was
    const { rows } =
      await sql<UserRow>`select id, email, name, created_at from users where id = ${id}`.execute(
        db,
      );
    if (!rows[0]) throw new TaskpulseError('INTERNAL', 'The user could not be provisioned.');
    return { user: toUserDto(rows[0]), created: false };
  } catch (error) {
    throw toTaskpulseError(error);
  }
}

/** The calling user (`me`). */
export async function getMe(ctx: TaskpulseContext): Promise<UserDto> {
  return runRead(async () => {
    const { rows } =
      await sql<UserRow>`select id, email, name, created_at from users where id = ${ctx.caller.id}`.execute(
        queriesOf(ctx),
      );
    if (!rows[0]) {
      throw new TaskpulseError('NOT_FOUND', 'The calling user is not provisioned yet.');
    }
    return toUserDto(rows[0]);
  });
}
