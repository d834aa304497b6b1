import { type QueryExecutorProvider, sql } from 'kysely';
import pRetry from 'p-retry';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { type CoreLogger, createConsoleLogger } from '../logging/index.ts';
import {
  type ChangeEvent,
  type ChangeEventBus,
  type ChangeListener,
  changeEventWireSchema,
  parseMessage,
} from './change-event.ts';
import { InProcessChangeEventBus } from './in-process-bus.ts';

/** The PostgreSQL channel change events travel on. */
export const CHANGE_CHANNEL = 'taskpulse_changes';

// NOTIFY payloads must stay under 8000 bytes
const MAX_PAYLOAD_BYTES = 7_500;

/**
 * Opens a session that LISTENs on {@link CHANGE_CHANNEL}: calls `onPayload` for every
 * notification and `onLost` if the session ends; returns the function that stops listening.
 */
export type ListenSession = (
  onPayload: (payload: string) => void,
  onLost: (error: unknown) => void,
) => Promise<() => Promise<void>>;

/** A NOTIFY payload: the instance that made the write (`o`) and its event (`e`). */
const envelopeSchema = z.object({ o: z.string(), e: changeEventWireSchema }).strict();

type Envelope = z.input<typeof envelopeSchema>;

/**
 * Reconnecting after a lost session: until it works or the bus closes, waiting 100 ms after the
 * first failed attempt, doubling up to 5 s; the waits never keep the process alive.
 */
const RECONNECT_BACKOFF = {
  retries: Number.POSITIVE_INFINITY,
  minTimeout: 100,
  factor: 2,
  maxTimeout: 5_000,
  randomize: false,
  unref: true,
};

/** Options of {@link PostgresChangeEventBus}. */
export interface PostgresChangeEventBusOptions {
  listen: ListenSession;
  /** Where malformed notifications, lost sessions and failed listeners are reported. @default a console logger */
  logger?: CoreLogger;
}

/**
 * A change-event bus shared by every instance on one PostgreSQL database: each write sends
 * its event with `pg_notify` inside its transaction (delivered on commit only, never for a
 * rollback), and every instance LISTENs and republishes the events of the others to its own
 * listeners. After a lost session it reconnects with backoff and publishes a `resync` event,
 * since notifications sent meanwhile are gone (PostgreSQL keeps no backlog).
 */
export class PostgresChangeEventBus implements ChangeEventBus {
  /** This instance's id, to tell its own notifications from the others'. */
  readonly instanceId = uuidv7();
  readonly #local: InProcessChangeEventBus;
  readonly #listen: ListenSession;
  readonly #logger: CoreLogger;
  #stop: (() => Promise<void>) | undefined;
  #closed = false;
  // aborts a reconnect in progress when the bus closes
  readonly #closing = new AbortController();

  constructor(options: PostgresChangeEventBusOptions) {
    this.#listen = options.listen;
    this.#logger = options.logger ?? createConsoleLogger();
    this.#local = new InProcessChangeEventBus({ logger: this.#logger });
  }

  /** Starts listening; resolves once the LISTEN is in place. */
  async start(): Promise<void> {
    this.#stop = await this.#listen(
      (payload) => this.#receive(payload),
      (error) => this.#lost(error),
    );
  }

  publish(event: ChangeEvent): void {
    this.#local.publish(event);
  }

  subscribe(listener: ChangeListener): () => void {
    return this.#local.subscribe(listener);
  }

  async stage(db: QueryExecutorProvider, event: ChangeEvent): Promise<void> {
    for (const payload of this.#payloads(event)) {
      await sql`select pg_notify(${CHANGE_CHANNEL}, ${payload})`.execute(db);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#closing.abort();
    await this.#stop?.().catch(() => {});
  }

  /** The event as one or more payloads under the size limit, splitting its affected users. */
  #payloads(event: ChangeEvent): string[] {
    const encode = (affectedUserIds: string[]) =>
      JSON.stringify({
        o: this.instanceId,
        e: { ...event, affectedUserIds, at: event.at.toISOString() },
      } satisfies Envelope);
    const payloads: string[] = [];
    let chunk: string[] = [];
    for (const id of event.affectedUserIds) {
      if (chunk.length > 0 && Buffer.byteLength(encode([...chunk, id])) > MAX_PAYLOAD_BYTES) {
        payloads.push(encode(chunk));
        chunk = [];
      }
      chunk.push(id);
    }
    payloads.push(encode(chunk));
    return payloads;
  }

  #receive(payload: string): void {
    const parsed = parseMessage(envelopeSchema, payload);
    if (!parsed.ok) {
      this.#logger.warn(
        { err: parsed.error },
        'taskpulse: ignored a malformed change notification',
      );
      return;
    }
    const envelope = parsed.value;
    if (envelope.o === this.instanceId) return; // already published locally after commit
    this.#local.publish(envelope.e);
  }

  #lost(error: unknown): void {
    if (this.#closed) return;
    this.#logger.warn({ err: error }, 'taskpulse: lost the change-event session; reconnecting');
    pRetry(() => this.start(), { ...RECONNECT_BACKOFF, signal: this.#closing.signal }).then(
      () => {
        // notifications sent while we were away are gone: everyone may be affected
        this.#local.publish({ type: 'resync', actorId: '', affectedUserIds: [], at: new Date() });
      },
      (failure: unknown) => {
        // aborted by close(): nothing to reconnect; anything else p-retry does not retry
        if (!this.#closed) {
          this.#logger.error(
            { err: failure },
            'taskpulse: gave up reconnecting the change-event session',
          );
        }
      },
    );
  }
}
