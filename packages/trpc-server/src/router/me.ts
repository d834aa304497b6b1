import { deleteAccount, deleteAccountInput, getMe } from '@taskpulse/core';
import type { TaskpulseBuilders } from './builders.ts';

/**
 * `me`: the calling user (created on the first call, from the token's claims), and
 * `me.delete`: the caller deletes their account and everything of it (`{ confirm: true }`).
 * `me` is a procedure, so `me.delete` is a key of its own (the wire path `/trpc/me.delete`;
 * `client['me.delete'].mutate({ confirm: true })` in a typed client).
 */
export const meProcedures = (b: TaskpulseBuilders) => ({
  me: b.authed.query(({ ctx }) => getMe(ctx.taskpulse)),
  'me.delete': b.authed
    .input(deleteAccountInput)
    .mutation(({ ctx, input }) => deleteAccount(ctx.taskpulse, input)),
});
