import type { TaskpulseBuilders } from './builders.ts';
import { chatProcedures } from './chat.ts';
import { dashboardProcedures } from './dashboard.ts';
import { healthProcedures } from './health.ts';
import { meProcedures } from './me.ts';
import { sharesProcedures } from './shares.ts';
import { tasksProcedures } from './tasks.ts';
import { teamsProcedures } from './teams.ts';

/**
 * Every taskpulse procedure, built with `b`: the one list that the standalone router and the
 * host-app router are both made of.
 */
export function taskpulseProcedures(b: TaskpulseBuilders) {
  return {
    ...healthProcedures(b),
    ...meProcedures(b),
    // one file per domain router beside me.ts: `(b: TaskpulseBuilders) => ({ tasks: b.router({ … }) })`
    ...tasksProcedures(b),
    ...sharesProcedures(b),
    ...teamsProcedures(b),
    ...chatProcedures(b),
    ...dashboardProcedures(b),
  };
}

/** The procedures of a taskpulse API, as a router record. */
export type TaskpulseProcedures = ReturnType<typeof taskpulseProcedures>;
