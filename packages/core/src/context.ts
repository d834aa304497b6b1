import { toTaskpulseError } from './db/errors.ts';
import type { TaskpulseEntityManager } from './db/open.ts';
import { TaskpulseError } from './errors/index.ts';
import type { ChangeEvent, ChangeEventBus } from './events/index.ts';

/** The authenticated user a call is made for. */
export interface Caller {
  /** The identity provider's subject (`sub`). */
  readonly id: string;
}

/**
 * What every domain function takes: an entity manager for this unit of work, who calls,
 * where change events go, and the clock. Build one per request with `tp.context(caller)`.
 */
export interface TaskpulseContext {
  /** A forked entity manager, not shared with other requests. */
  readonly em: TaskpulseEntityManager;
  readonly caller: Caller;
  readonly events: ChangeEventBus;
  /** The current instant; injectable so that tests pin it. */
  readonly now: () => Date;
}

/** What a write reports, besides its result: the change, or null when nothing changed. */
export type ChangeReport = Omit<ChangeEvent, 'actorId' | 'at'> | null;

/**
 * Runs a write in its own transaction and publishes its change event after the commit,
 * never for a rolled-back one. Errors from the database become {@link TaskpulseError}s.
 */
export async function runWrite<T>(
  ctx: TaskpulseContext,
  work: (em: TaskpulseEntityManager) => Promise<{ result: T; change: ChangeReport }>,
): Promise<T> {
  if (ctx.em.isInTransaction()) {
    // the event would be published when our savepoint is released, before the outer commit
    throw new TaskpulseError(
      'INTERNAL',
      'taskpulse writes run in their own transaction: call them outside of em.transactional().',
    );
  }
  let outcome: { result: T; event: ChangeEvent | null };
  try {
    outcome = await ctx.em.transactional(async (em) => {
      const { result, change } = await work(em as TaskpulseEntityManager);
      const event = change && { ...change, actorId: ctx.caller.id, at: ctx.now() };
      if (event && ctx.events.stage) await ctx.events.stage(em.getKysely(), event);
      return { result, event };
    });
  } catch (error) {
    throw toTaskpulseError(error);
  }
  if (outcome.event) ctx.events.publish(outcome.event);
  return outcome.result;
}

/** Runs a read; errors from the database become {@link TaskpulseError}s. */
export async function runRead<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toTaskpulseError(error);
  }
}
