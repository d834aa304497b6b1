import {
  createShare,
  createShareInput,
  deleteShare,
  deleteShareInput,
  listShares,
  listSharesInput,
} from '@taskpulse/core';
import type { TaskpulseBuilders } from './builders.ts';

/** `shares.*`: who a task is shared with; only its owner changes that. */
export const sharesProcedures = (b: TaskpulseBuilders) => ({
  shares: b.router({
    create: b.authed
      .input(createShareInput)
      .mutation(({ ctx, input }) =>
        createShare(ctx.taskpulse, input, { idempotencyKey: ctx.idempotencyKey }),
      ),
    delete: b.authed
      .input(deleteShareInput)
      .mutation(({ ctx, input }) =>
        deleteShare(ctx.taskpulse, input, { idempotencyKey: ctx.idempotencyKey }),
      ),
    list: b.authed
      .input(listSharesInput)
      .query(({ ctx, input }) => listShares(ctx.taskpulse, input)),
  }),
});
