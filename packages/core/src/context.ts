import type { Platform } from '@mikro-orm/core';
import type { AbstractSqlConnection } from '@mikro-orm/sql';
import type { Kysely } from 'kysely';
import { toTaskpulseError } from './db/errors.ts';
import type { TaskpulseDB } from './db/kysely.ts';
import type { TaskpulseEntityManager, TaskpulseOrm } from './db/open.ts';
import { joinedTransaction } from './db/transactions.ts';
import { TaskpulseError } from './errors/index.ts';
import type { ChangeEvent, ChangeEventBus } from './events/index.ts';
import {
  claimIdempotencyKey,
  parseIdempotencyKey,
  requestHash,
  storeIdempotentResult,
} from './idempotency/index.ts';

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
  /**
   * The entity manager of this unit of work: the caller's when `tp.context(caller, { em })`
   * was given one (its transaction, if any, is then joined), else a fork that `tp.context()`
   * makes on first use — calls answered from the cache or by one counter read never need it.
   */
  readonly em: TaskpulseEntityManager;
  readonly caller: Caller;
  readonly events: ChangeEventBus;
  /** The current instant; injectable so that tests pin it. */
  readonly now: () => Date;
}

/** Where a context made by {@link createContext} keeps the way to its pool. */
const POOL = Symbol('taskpulse.pool');

/** What a lone read needs: the query builder it goes through and the platform that escapes values. */
export interface ReadPath {
  readonly kysely: Kysely<TaskpulseDB>;
  readonly platform: Platform;
}

interface LazyContext extends TaskpulseContext {
  /** The pool's read path while no entity manager has been forked, else undefined. */
  readonly [POOL]?: () => ReadPath | undefined;
}

/**
 * The context of `tp.context()`: its entity manager is forked on first use, so that a call
 * answered from the cache, or by one query, does not pay for a unit of work it never uses.
 * A given `em` is used as it is (and its transaction, if any, is respected).
 */
export function createContext(
  orm: TaskpulseOrm,
  fields: Omit<TaskpulseContext, 'em'>,
  em?: TaskpulseEntityManager,
): TaskpulseContext {
  let forked = em;
  const context: LazyContext = {
    get em() {
      forked ??= orm.em.fork();
      return forked;
    },
    ...fields,
    [POOL]: () => (forked === undefined ? poolReadPath(orm) : undefined),
  };
  return context;
}

/** How `em`'s lone reads reach the database: its Kysely (its transaction's, inside one). */
export function readPathOfEm(em: TaskpulseEntityManager): ReadPath {
  return { kysely: em.getKysely<TaskpulseDB>(), platform: em.getPlatform() };
}

/** What a fresh fork's read path would be: a fork starts outside any transaction, on the pool. */
function poolReadPath(orm: TaskpulseOrm): ReadPath {
  return {
    kysely: (orm.em.getConnection() as AbstractSqlConnection).getClient<TaskpulseDB>(),
    platform: orm.em.getPlatform(),
  };
}

/**
 * How a lone read of `ctx` reaches the database: through the context's entity manager (inside
 * its transaction, if it has one), or straight through the pool when none was forked yet.
 */
export function readPathOf(ctx: TaskpulseContext): ReadPath {
  return (ctx as LazyContext)[POOL]?.() ?? readPathOfEm(ctx.em);
}

/** The query builder a read of `ctx` goes through (see {@link readPathOf}). */
export function queriesOf(ctx: TaskpulseContext): Kysely<TaskpulseDB> {
  return readPathOf(ctx).kysely;
}

/** What a write reports, besides its result: the change, or null when nothing changed. */
export type ChangeReport = Omit<ChangeEvent, 'actorId' | 'at'> | null;

/** What makes a write retry-safe: its operation, its (parsed) input and the caller's key. */
export interface IdempotentWrite {
  /** The operation's name, e.g. `tasks.create`: the same key for another operation is refused. */
  readonly operation: string;
  /** The parsed input; the same key with another input is refused. */
  readonly input: unknown;
  /** The caller's `Idempotency-Key`; undefined for a write without one. */
  readonly key: string | undefined;
}

/**
 * Runs a write and publishes its change event after the commit, never for a rolled-back one.
 * Errors from the database become {@link TaskpulseError}s.
 *
 * With an idempotency key, the key is claimed first in the write's transaction (a concurrent
 * repeat waits there for this one's commit); a repeat answers the stored result without writing
 * or publishing anything. A failed write rolls its key back with it, so retrying it runs it again.
 *
 * Outside a transaction the write is a transaction of its own. Inside one (a context built on
 * an entity manager of `em.transactional()`), it joins it: it runs in a savepoint, so that a
 * failed write leaves the caller's transaction usable, and commits or rolls back with the
 * caller's rows; its event waits for the outermost commit, and is dropped if the transaction,
 * or a savepoint around the write, rolls back.
 */
export async function runWrite<T>(
  ctx: TaskpulseContext,
  work: (em: TaskpulseEntityManager) => Promise<{ result: T; change: ChangeReport }>,
  idempotency?: IdempotentWrite,
): Promise<T> {
  const key = idempotency?.key === undefined ? undefined : parseIdempotencyKey(idempotency.key);
  const hash =
    idempotency && key !== undefined && requestHash(idempotency.operation, idempotency.input);
  const joined = joinedTransaction(ctx.em);
  let outcome: { result: T; event: ChangeEvent | null };
  try {
    outcome = await ctx.em.transactional(async (em) => {
      const userId = ctx.caller.id;
      if (key !== undefined && hash) {
        const claim = await claimIdempotencyKey(em.getKysely(), {
          userId,
          key,
          hash,
          now: ctx.now(),
        }).catch(rethrowMissingUser);
        if (claim.kind === 'replay') return { result: claim.result as T, event: null };
      }
      const { result, change } = await work(em as TaskpulseEntityManager);
      if (key !== undefined) await storeIdempotentResult(em.getKysely(), { userId, key, result });
      const event = change && { ...change, actorId: userId, at: ctx.now() };
      // NOTIFY inside the write's (sub)transaction: PostgreSQL delivers it on the outermost
      // commit, and drops it with a rolled-back savepoint
      if (event && ctx.events.stage) await ctx.events.stage(em.getKysely(), event);
      return { result, event };
    });
  } catch (error) {
    throw toTaskpulseError(error);
  }
  const { event } = outcome;
  if (event) {
    const publish = () => ctx.events.publish(event);
    if (joined) joined.tracker.afterCommit(joined.transaction, publish);
    else publish();
  }
  return outcome.result;
}

/** A key claimed for a caller who has no user row yet fails on the foreign key: say so. */
function rethrowMissingUser(error: unknown): never {
  if (/idempotency_keys_user_id_foreign/.test(String((error as Error)?.message))) {
    throw new TaskpulseError(
      'NOT_FOUND',
      'The calling user is not provisioned: call provisionUser() with their identity claims first.',
      { cause: error },
    );
  }
  throw error;
}

/**
 * Whether the context's work runs inside a transaction of its caller (`tp.context(caller, { em })`
 * with an entity manager of `em.transactional()`). A context whose entity manager taskpulse
 * forks itself never is, and asking does not fork it.
 */
export function inTransaction(ctx: TaskpulseContext): boolean {
  if ((ctx as LazyContext)[POOL]?.() !== undefined) return false;
  return ctx.em.isInTransaction();
}

/** Runs a read; errors from the database become {@link TaskpulseError}s. */
export async function runRead<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toTaskpulseError(error);
  }
}
