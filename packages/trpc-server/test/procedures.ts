/** Procedures that exist only in tests, built with the same builders as the real ones. */
import { TaskpulseError, TaskpulseErrorCode } from '@taskpulse/core';
import { z } from 'zod';
import type { TaskpulseBuilders } from '../src/index.ts';

export const testProcedures = (b: TaskpulseBuilders) => ({
  test: b.router({
    /** Validates a nested input; answers with what it kept. */
    echo: b.authed
      .input(
        z.object({
          title: z.string().min(1).max(5),
          nested: z.object({ count: z.number().int() }),
        }),
      )
      .mutation(({ input, ctx }) => ({ title: input.title, by: ctx.caller.id })),
    /** Throws a core error with the given code. */
    fail: b.public.input(z.object({ code: z.enum(TaskpulseErrorCode) })).query(({ input }) => {
      throw new TaskpulseError(
        input.code,
        `failed with ${input.code}`,
        input.code === 'VALIDATION'
          ? { issues: [{ path: ['due', 'at'], message: 'must be in the future' }] }
          : {},
      );
    }),
    /** Throws what a careless resolver might: an error whose message holds SQL and data. */
    crash: b.public.query((): never => {
      throw new Error("SELECT password FROM users WHERE email = 'victim@example.com'");
    }),
  }),
});
