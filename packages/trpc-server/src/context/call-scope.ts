import { AsyncLocalStorage } from 'node:async_hooks';
import type { TaskpulseLogger } from '../logging/index.ts';

/** What is known about the procedure call the current code runs for. */
export interface CallScope {
  /** The procedure's path, e.g. `tasks.list`. */
  readonly procedure: string;
  /** The request's logger (it carries the request id). */
  readonly logger: TaskpulseLogger;
}

const storage = new AsyncLocalStorage<CallScope>();

/** Runs `work` as part of a procedure call, so that what it causes (queries) is attributed to it. */
export function runInCallScope<T>(scope: CallScope, work: () => T): T {
  return storage.run(scope, work);
}

/** The procedure call the current code runs for, if any. */
export function currentCallScope(): CallScope | undefined {
  return storage.getStore();
}
