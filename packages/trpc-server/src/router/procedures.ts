import type { TaskpulseBuilders } from './builders.ts';
import { healthProcedures } from './health.ts';
import { meProcedures } from './me.ts';

/**
 * Every taskpulse procedure, built with `b`: the one list that the standalone router and the
 * host-app router are both made of.
 */
export function taskpulseProcedures(b: TaskpulseBuilders) {
  return {
    ...healthProcedures(b),
    ...meProcedures(b),
    // Domain routers: one file each beside me.ts, `(b: TaskpulseBuilders) => ({ tasks: b.router({ … }) })`,
    // spread here: tasks, shares, teams, conversations, messages, dashboard.
  };
}

/** The procedures of a taskpulse API, as a router record. */
export type TaskpulseProcedures = ReturnType<typeof taskpulseProcedures>;
