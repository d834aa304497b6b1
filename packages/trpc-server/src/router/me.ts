import { getMe } from '@taskpulse/core';
import type { TaskpulseBuilders } from './builders.ts';

/** `me`: the calling user (created on the first call, from the token's claims). */
export const meProcedures = (b: TaskpulseBuilders) => ({
  me: b.authed.query(({ ctx }) => getMe(ctx.taskpulse)),
});
