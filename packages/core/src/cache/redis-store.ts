/**
 * The shared half of the statistics cache: values in Redis, and invalidations over Redis
 * pub/sub. Internal to {@link StatsCache}; ioredis is loaded only when Redis is configured.
 *
 * Race safety: every user has a generation counter in Redis (`<prefix>gen:<user>`). A load
 * reads it before computing and stores its value under a key that embeds it; an
 * invalidation increments it (then publishes), so a value computed before the invalidation
 * lands under a key that nobody reads any more, and simply expires.
 */
import { randomUUID } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import { z } from 'zod';
import { parseMessage } from '../events/change-event.ts';
import type { CoreLogger } from '../logging/index.ts';

/** Where the store reports to: the {@link StatsCache} that owns it. */
export interface RedisStoreHooks {
  /** Another instance invalidated these users. */
  invalidated(userIds: readonly string[]): void;
  /**
   * The subscription is established: invalidations published before may have been missed,
   * by a cache filled while it was down (`afterOutage`: it was up before, then lost).
   */
  resync(afterOutage: boolean): void;
  /** A Redis operation or connection failed (for the counters). */
  failed(): void;
  /** Where an outage and the recovery are reported. */
  logger: CoreLogger;
}

export interface RedisStoreOptions {
  url: string;
  keyPrefix: string;
  ttlMs: number;
  commandTimeoutMs: number;
}

/** What a load learnt from Redis: the user's generation, and the value if one was there. */
export interface SharedRead {
  readonly generation: string;
  readonly hit?: { readonly value: unknown; readonly ttlMs: number };
}

/** The state of the Redis connections, as {@link StatsCache.stats} reports it. */
export type RedisState = 'connecting' | 'up' | 'down';

const messageSchema = z.object({ origin: z.string(), userIds: z.array(z.string()) });

/** Generation keys outlive every value stored under them by a day (see `read`). */
const GENERATION_GRACE_MS = 86_400_000;

/** Opens the store; rejects when ioredis cannot be loaded. */
export async function openRedisStore(
  options: RedisStoreOptions,
  hooks: RedisStoreHooks,
): Promise<RedisStore> {
  const { Redis } = await import('ioredis');
  return new RedisStore(Redis, options, hooks);
}

export class RedisStore {
  readonly #options: RedisStoreOptions;
  readonly #hooks: RedisStoreHooks;
  /** Tells this instance's own messages apart from the others'. */
  readonly #origin = randomUUID();
  readonly #channel: string;
  /** `host:port` only: the URL may carry a password. */
  readonly #where: string;
  readonly #commands: Redis;
  /** A connection in subscriber mode cannot run other commands, hence a second one. */
  readonly #subscriber: Redis;
  #subscribed = false;
  #everSubscribed = false;
  /** In an outage that has been reported (once), until everything works again. */
  #down = false;
  #closing = false;
  /**
   * Users whose invalidation did not reach Redis, with a sequence number so that a later
   * failure is not cleared by an earlier success. Their values in Redis may be stale: loads
   * skip Redis for them until the invalidation is replayed.
   */
  readonly #pending = new Map<string, number>();
  #sequence = 0;
  #flushing: Promise<void> | undefined;

  constructor(RedisClass: typeof Redis, options: RedisStoreOptions, hooks: RedisStoreHooks) {
    this.#options = options;
    this.#hooks = hooks;
    this.#channel = `${options.keyPrefix}invalidate`;
    this.#where = new URL(options.url).host;
    // Fail fast rather than queue: a figure computed from the database now beats one that
    // waits for Redis. Reconnect attempts go on in the background, at most a second apart.
    const clientOptions: RedisOptions = {
      connectionName: 'taskpulse-stats',
      connectTimeout: Math.max(1_000, options.commandTimeoutMs),
      commandTimeout: options.commandTimeoutMs,
      // a connection that stops answering is dropped and reconnected, so that the commands
      // after it fail at once instead of each waiting for its timeout
      socketTimeout: options.commandTimeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (attempt) => Math.min(100 * attempt, 1_000),
    };
    this.#commands = new RedisClass(options.url, clientOptions);
    this.#subscriber = new RedisClass(options.url, clientOptions);

    for (const client of [this.#commands, this.#subscriber]) {
      client.on('error', (error: unknown) => this.#fail(error));
      client.on('close', () => this.#fail(new Error('connection closed')));
    }
    this.#subscriber.on('close', () => {
      this.#subscribed = false;
    });
    this.#subscriber.on('ready', () => void this.#subscribe());
    this.#subscriber.on('message', (channel: string, message: string) =>
      this.#receive(channel, message),
    );
    this.#commands.on('ready', () => void this.#flushPending().then(() => this.#checkRecovered()));
  }

  /** `up` when values can be shared and invalidations received; `down` during an outage. */
  get state(): RedisState {
    if (this.#down) return 'down';
    return this.#commands.status === 'ready' && this.#subscribed ? 'up' : 'connecting';
  }

  /**
   * The user's generation and the stored value, if any; `undefined` when Redis cannot be
   * used for this user right now (the caller then computes without sharing).
   */
  async read(userId: string, key: string): Promise<SharedRead | undefined> {
    if (this.#commands.status !== 'ready') return undefined;
    if (this.#pending.has(userId)) {
      void this.#flushPending();
      return undefined;
    }
    let generation: string;
    let value: unknown;
    let ttl: unknown;
    try {
      // A missing generation key is generation 0. It can only go missing after its grace
      // period, long after every value stored under an older generation has expired.
      generation = (await this.#commands.get(this.#generationKey(userId))) ?? '0';
      const valueKey = this.#valueKey(generation, key);
      [value, ttl] = successes(await this.#commands.pipeline().get(valueKey).pttl(valueKey).exec());
    } catch (error) {
      this.#fail(error);
      return undefined;
    }
    this.#checkRecovered();
    if (typeof value !== 'string' || typeof ttl !== 'number' || ttl <= 0) return { generation };
    try {
      return { generation, hit: { value: JSON.parse(value), ttlMs: ttl } };
    } catch {
      // not JSON: a miss, computed again and overwritten
      return { generation };
    }
  }

  /** Stores a value computed under `generation`, for the time-to-live. */
  async write(generation: string, key: string, value: unknown): Promise<void> {
    if (this.#commands.status !== 'ready') return;
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      // a value JSON cannot represent (a BigInt, a cycle) stays in this instance
      return;
    }
    if (json === undefined) return;
    try {
      await this.#commands.set(this.#valueKey(generation, key), json, 'PX', this.#options.ttlMs);
      this.#checkRecovered();
    } catch (error) {
      this.#fail(error);
    }
  }

  /**
   * Moves the users to a new generation and tells the other instances. Never rejects: when
   * Redis cannot be reached, the users are remembered and the invalidation is replayed
   * when it returns.
   */
  async invalidate(userIds: readonly string[]): Promise<void> {
    if (this.#closing) return;
    if (!(await this.#publish(userIds))) {
      for (const userId of userIds) this.#pending.set(userId, ++this.#sequence);
    }
  }

  /** Replays pending invalidations if it can, then quits both connections. */
  async close(): Promise<void> {
    await this.#flushPending();
    this.#closing = true;
    await Promise.all([quit(this.#commands), quit(this.#subscriber)]);
  }

  #generationKey(userId: string): string {
    return `${this.#options.keyPrefix}gen:${userId}`;
  }

  #valueKey(generation: string, key: string): string {
    return `${this.#options.keyPrefix}val:${generation}:${key}`;
  }

  /** Increments the generations, then publishes; true when Redis took it. */
  async #publish(userIds: readonly string[]): Promise<boolean> {
    if (this.#commands.status !== 'ready') return false;
    const sequences = userIds.map((userId) => this.#pending.get(userId));
    const transaction = this.#commands.multi();
    for (const userId of userIds) {
      const generationKey = this.#generationKey(userId);
      transaction
        .incr(generationKey)
        .pexpire(generationKey, this.#options.ttlMs + GENERATION_GRACE_MS);
    }
    transaction.publish(this.#channel, JSON.stringify({ origin: this.#origin, userIds }));
    try {
      successes(await transaction.exec());
    } catch (error) {
      this.#fail(error);
      return false;
    }
    userIds.forEach((userId, index) => {
      if (this.#pending.get(userId) === sequences[index]) this.#pending.delete(userId);
    });
    this.#checkRecovered();
    return true;
  }

  #flushPending(): Promise<void> {
    if (this.#pending.size === 0 || this.#closing) return Promise.resolve();
    this.#flushing ??= this.#publish([...this.#pending.keys()])
      .then(() => undefined)
      .finally(() => {
        this.#flushing = undefined;
      });
    return this.#flushing;
  }

  async #subscribe(): Promise<void> {
    try {
      await this.#subscriber.subscribe(this.#channel);
    } catch (error) {
      this.#fail(error);
      // reconnect: the next 'ready' subscribes again
      if (!this.#closing) this.#subscriber.disconnect(true);
      return;
    }
    this.#subscribed = true;
    // only now: an invalidation published from here on reaches us
    this.#hooks.resync(this.#everSubscribed);
    this.#everSubscribed = true;
    this.#checkRecovered();
  }

  #receive(channel: string, message: string): void {
    if (channel !== this.#channel) return;
    const parsed = parseMessage(messageSchema, message);
    if (!parsed.ok) {
      // on our channel but not understood (another version?): assume the worst
      this.#hooks.resync(true);
      return;
    }
    if (parsed.value.origin !== this.#origin) this.#hooks.invalidated(parsed.value.userIds);
  }

  #fail(error: unknown): void {
    if (this.#closing) return;
    this.#hooks.failed();
    this.#markDown(error);
  }

  #markDown(error: unknown): void {
    if (this.#down || this.#closing) return;
    this.#down = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.#hooks.logger.warn(
      { error: reason },
      `taskpulse: Redis at ${this.#where} is unavailable (${reason}); statistics are computed from the database and cached in this instance only until it is back.`,
    );
  }

  #checkRecovered(): void {
    if (!this.#down || this.#closing) return;
    if (this.#commands.status !== 'ready' || !this.#subscribed || this.#pending.size > 0) return;
    this.#down = false;
    this.#hooks.logger.info(
      {},
      `taskpulse: Redis at ${this.#where} is reachable again; statistics are shared again.`,
    );
  }
}

/** The replies of a pipeline or transaction, or the first error in it. */
function successes(replies: [error: Error | null, result: unknown][] | null): unknown[] {
  if (replies === null) throw new Error('the Redis transaction was aborted');
  return replies.map(([error, result]) => {
    if (error) throw error;
    return result;
  });
}

async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through: close the socket without waiting for the server
    }
  }
  client.disconnect();
}
