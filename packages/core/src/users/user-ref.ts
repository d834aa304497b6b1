import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { TaskpulseDB } from '../db/kysely.ts';
import { TaskpulseError } from '../errors/index.ts';
import { LIMITS } from '../schema/limits.ts';
import { text } from '../schema/text.ts';

/** Input fields naming a user by id or by email; use with {@link exactlyOneUser}. */
export const userRefFields = {
  userId: text(LIMITS.userId.min, LIMITS.userId.max)
    .optional()
    .describe("The user's id; give this or email."),
  email: z
    .email()
    .max(LIMITS.userEmail.max)
    .optional()
    .describe("The user's email; give this or userId."),
};

/** A user, named by id or by email. */
export interface UserRef {
  userId?: string | undefined;
  email?: string | undefined;
}

/** Refinement: exactly one of `userId` and `email` is given. */
export function exactlyOneUser(input: UserRef, ctx: z.RefinementCtx): void {
  if ((input.userId === undefined) === (input.email === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['userId'],
      message: 'give exactly one of userId and email',
    });
  }
}

/**
 * The id of the user `ref` names; `NOT_FOUND` (saying they must sign in once, since users
 * are provisioned on their first call) when there is none. `purpose` ends the message.
 */
export async function findUserId(
  db: Kysely<TaskpulseDB>,
  ref: UserRef,
  purpose: string,
): Promise<string> {
  const query = db.selectFrom('users').select('id');
  const user = await (ref.userId !== undefined
    ? query.where('id', '=', ref.userId)
    : // only a verified address names a user: an unverified one may be anyone's claim
      query.where('email', '=', ref.email ?? '').where('email_verified', '=', true)
  ).executeTakeFirst();
  if (!user) {
    throw new TaskpulseError(
      'NOT_FOUND',
      `No user with that ${ref.userId !== undefined ? 'id' : 'email'}: they must sign in once before ${purpose}.`,
    );
  }
  return user.id;
}
