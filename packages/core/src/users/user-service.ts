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
 * their name and verified email in step with the identity provider's claims afterwards.
 *
 * An email is stored only when the claims say it is verified (`emailVerified: true`): anyone
 * can put any address in an unverified claim, and share-by-email delivers to the address's
 * holder. A verified claim takes the address over from a user who holds it unverified (stored
 * before verification was required); an address another user holds verified is not taken
 * over: the user is kept (or created) without it. Claims without a verified email leave a
 * verified address the user has in place, and drop an unverified one.
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
  const { id, email, emailVerified, name } = parseWith(userClaimsSchema, claims, 'user claims');
  const verifiedEmail = emailVerified ? email : null;
  const joined = em.isInTransaction();
  const db = joined ? em.getKysely() : em.fork().getKysely();
  // with no verified address in the claims, a verified one on the row stays, an unverified one goes
  const nextEmail = sql`case when excluded.email_verified then excluded.email when users.email_verified then users.email end`;
  const nextVerified = sql`(excluded.email_verified or users.email_verified)`;
  const upsert = (withEmail: string | null, takeOver = false) => {
    const statements = async (target: typeof db) => {
      if (takeOver && withEmail !== null) {
        // a verified claim takes the address from whoever holds it unverified
        await sql`update users set email = null
          where email = ${withEmail} and id <> ${id} and not email_verified`.execute(target);
      }
      return sql<UserRow & { inserted: boolean }>`
      insert into users (id, email, email_verified, name, created_at)
        values (${id}, ${withEmail}, ${withEmail !== null}, ${name}, ${now})
      on conflict (id) do update
        set email = ${nextEmail}, email_verified = ${nextVerified}, name = excluded.name
        where users.email is distinct from ${nextEmail}
          or users.email_verified is distinct from ${nextVerified}
          or users.name is distinct from excluded.name
      returning id, email, name, created_at, (xmax = 0) as inserted`.execute(target);
    };
    // in the caller's transaction, a savepoint: a taken email must not abort the transaction;
    // a take-over commits with the write that it makes room for
    return joined || takeOver
      ? (joined ? em : em.fork()).transactional((tx) => statements(tx.getKysely()))
      : statements(db);
  };
  const emailTaken = (error: unknown) => {
    const code = (error as { code?: string; cause?: { code?: string } }).code;
    return /unique/i.test(String((error as Error).message ?? code));
  };
  try {
    let result: Awaited<ReturnType<typeof upsert>>;
    try {
      // the usual call: one statement
      result = await upsert(verifiedEmail);
    } catch (error) {
      if (verifiedEmail === null || !emailTaken(error)) throw error;
      try {
        result = await upsert(verifiedEmail, true);
      } catch (again) {
        // a user who holds the address verified keeps it
        if (!emailTaken(again)) throw again;
        result = await upsert(null);
      }
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
