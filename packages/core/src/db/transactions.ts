import type { EventSubscriber, MikroORM, TransactionEventArgs } from '@mikro-orm/core';
import { TaskpulseError } from '../errors/index.ts';
import type { CoreLogger } from '../logging/index.ts';
import type { TaskpulseEntityManager } from './open.ts';

/** A transaction or savepoint as MikroORM hands it around (a Kysely controlled transaction). */
type Transaction = object;

/**
 * Follows the transactions of one MikroORM instance — top-level ones and the savepoints nested
 * in them — through MikroORM's transaction events, so that work can be deferred until the
 * outermost commit: whatever is deferred inside a savepoint moves to the enclosing level when
 * the savepoint is released, and is dropped when it, or any level around it, rolls back.
 *
 * It must be registered on the ORM's root event manager before the transactions it follows
 * begin: transactional forks copy the subscribers of their parent when they start.
 */
export class TransactionTracker implements EventSubscriber {
  // every transaction seen starting → the transaction it is nested in (null at the top level)
  readonly #parents = new WeakMap<Transaction, Transaction | null>();
  // the entity manager a transaction is starting on → the transaction it will be nested in
  readonly #starting = new WeakMap<object, Transaction | null>();
  // work deferred to the commit of each transaction, in order
  readonly #deferred = new WeakMap<Transaction, (() => void)[]>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  beforeTransactionStart({ em, transaction }: TransactionEventArgs): void {
    // MikroORM passes the enclosing transaction when it starts a savepoint
    this.#starting.set(em, transaction ?? null);
  }

  afterTransactionStart({ em, transaction }: TransactionEventArgs): void {
    if (!transaction) return;
    const parent = this.#starting.get(em);
    this.#starting.delete(em);
    this.#parents.set(transaction, parent ?? null);
  }

  afterTransactionCommit({ transaction }: TransactionEventArgs): void {
    if (!transaction) return;
    const deferred = this.#deferred.get(transaction);
    if (!deferred) return;
    this.#deferred.delete(transaction);
    const parent = this.#parents.get(transaction);
    if (parent) {
      // a savepoint was released: its work now waits for the level around it
      this.#queue(parent).push(...deferred);
      return;
    }
    for (const work of deferred) {
      try {
        work();
      } catch (error) {
        // the transaction is committed: a failure here must not look like a failed commit
        this.#onError(error);
      }
    }
  }

  afterTransactionRollback({ transaction }: TransactionEventArgs): void {
    if (transaction) this.#deferred.delete(transaction);
  }

  /** Whether `transaction`, and every level around it, was seen starting. */
  follows(transaction: Transaction): boolean {
    for (let current: Transaction | null | undefined = transaction; ; ) {
      current = this.#parents.get(current);
      if (current === null) return true;
      if (current === undefined) return false;
    }
  }

  /** Runs `work` after the outermost commit around `transaction`; never if any level rolls back. */
  afterCommit(transaction: Transaction, work: () => void): void {
    this.#queue(transaction).push(work);
  }

  #queue(transaction: Transaction): (() => void)[] {
    let queue = this.#deferred.get(transaction);
    if (!queue) {
      queue = [];
      this.#deferred.set(transaction, queue);
    }
    return queue;
  }
}

// one tracker per ORM, found through the configuration that every entity manager of it shares
const trackers = new WeakMap<object, TransactionTracker>();

/**
 * The tracker of `orm`'s transactions, registered on its root event manager (and in its
 * configured subscribers, for forks made with a fresh event manager) the first time.
 */
export function trackTransactions(orm: MikroORM, logger: CoreLogger): TransactionTracker {
  let tracker = trackers.get(orm.config);
  if (!tracker) {
    tracker = new TransactionTracker((error) =>
      logger.error({ err: error }, 'taskpulse: work deferred to a commit failed'),
    );
    trackers.set(orm.config, tracker);
    orm.em.getEventManager().registerSubscriber(tracker);
    orm.config.set('subscribers', [...orm.config.get('subscribers'), tracker]);
  }
  return tracker;
}

/**
 * The transaction `em` is in, with the tracker that follows it, so that the caller can defer
 * work to its outermost commit; undefined when `em` is not in a transaction. Fails when taskpulse
 * was not opened on `em`'s ORM before the transaction began, since the commit would go unseen.
 */
export function joinedTransaction(
  em: TaskpulseEntityManager,
): { transaction: Transaction; tracker: TransactionTracker } | undefined {
  const transaction: Transaction | undefined = em.getTransactionContext();
  if (!transaction) return undefined;
  const tracker = trackers.get(em.config);
  if (!tracker?.follows(transaction)) {
    throw new TaskpulseError(
      'INTERNAL',
      'This transaction began before taskpulse was opened on its MikroORM instance, so taskpulse cannot tell when it commits: open taskpulse (createTaskpulse({ orm })) before starting transactions that call it.',
    );
  }
  return { transaction, tracker };
}
