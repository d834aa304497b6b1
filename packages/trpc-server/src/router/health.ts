import { z } from 'zod';
import type { TaskpulseBuilders } from './builders.ts';

/** What `health` answers: whether the API can reach its database. */
export const healthSchema = z.object({
  /** `ok` when everything answers, `degraded` when the database does not. */
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['up', 'down']),
});

/** What `health` answers. */
export type Health = z.infer<typeof healthSchema>;

/** `health`: the one procedure that needs no token. */
export const healthProcedures = (b: TaskpulseBuilders) => ({
  health: b.public.query(async (): Promise<Health> => {
    const up = await b.runtime.isReady();
    return { status: up ? 'ok' : 'degraded', database: up ? 'up' : 'down' };
  }),
});
