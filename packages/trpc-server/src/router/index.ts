// The procedures live one file per domain in this folder, each a function of the builders
// (`me.ts`, `health.ts`); procedures.ts lists them all, and both routers are made of that list.
// Add `tasks`, `shares`, `teams`, `conversations`, `messages` and `dashboard` there.
export type {
  TaskpulseApiProcedures,
  TaskpulseApiRootTypes,
  TaskpulseApiRouter,
} from './api-router.ts';
export {
  type AnyProcedureBuilder,
  type BuilderBase,
  createTaskpulseBuilders,
  isAuthenticatedProcedure,
  isObservedError,
  type TaskpulseAuthedContext,
  type TaskpulseBuilders,
  type TaskpulseProcedureBuilder,
  type TaskpulsePublicContext,
} from './builders.ts';
export { type Health, healthSchema } from './health.ts';
export { createTaskpulseHostRouter, type TaskpulseHostRouterOptions } from './host-router.ts';
export { type TaskpulseProcedures, taskpulseProcedures } from './procedures.ts';
export {
  createTaskpulseRouter,
  type TaskpulseRootTypes,
  type TaskpulseRouter,
} from './taskpulse-router.ts';
