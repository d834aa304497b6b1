import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { parseWith } from '../errors/index.ts';
import type { ChangeEventBus } from '../events/index.ts';
import { type CoreLogger, coreLoggerSchema, createConsoleLogger } from '../logging/index.ts';
import { canonicalKey, type StatsCacheKey } from './cache-key.ts';
import { openRedisStore, type RedisStore, type SharedRead } from './redis-store.ts';

/** The Redis that instances share, for values and for invalidations. */
export interface StatsCacheRedisOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  url: string;
  /**
   * Prefix of every key and of the pub/sub channel. Instances that share a prefix share
   * figures and invalidations.
   * @default 'taskpulse:stats:'
   */
  keyPrefix?: string;
  /**
   * How long a Redis command may take before the cache gives up on it and computes the
   * figure directly.
   * @default 500
   */
  commandTimeoutMs?: number;
}

/** Options of {@link StatsCache}. */
export interface StatsCacheOptions {
  /**
   * How long a figure is served from the cache. Writes through the SDK invalidate at once;
   * writes behind its back show after at most this long.
   * @default 5000
   */
  ttlMs?: number;
  /**
   * Most figures kept in this process; the least recently used go first.
   * @default 10000
   */
  max?: number;
  /**
   * Share figures and invalidations between instances through Redis. Needs the optional
   * peer dependency `ioredis` (5.x). When Redis cannot be reached, figures are computed
   * directly (fail-open) and a warning is logged once per outage.
   * @default undefined (this instance only)
   */
  redis?: StatsCacheRedisOptions;
  /**
   * Where the cache reports trouble (Redis unreachable) and recovery; `createTaskpulse` gives
   * it its own `logger`.
   * @default a console logger
   */
  logger?: CoreLogger;
  /**
   * The clock of the time-to-live in this instance, in milliseconds (only differences
   * matter; values must be above 0, which lru-cache reads as "no start time"). Injectable so
   * that tests control time; Redis expires values by its own clock.
   * @default performance.now
   */
  now?: () => number;
}

/** Counters of a {@link StatsCache}, since it was created. */
export interface StatsCacheCounters {
  /** Lookups answered from this instance's cache. */
  hits: number;
  /** Lookups that found nothing (or an expired figure) and started a load. */
  misses: number;
  /** Lookups that joined a load already in flight for the same key, instead of starting one. */
  coalesced: number;
  /** Calls of `compute`: what the cache exists to save. */
  computes: number;
  /** Loads answered from Redis, without a compute. */
  redisHits: number;
  /** Figures dropped from this instance to make room for others. */
  evictions: number;
  /** Users invalidated here, by a local call or a message from another instance. */
  invalidations: number;
  /** Loads whose result was thrown away: their figure was invalidated (or evicted) meanwhile. */
  abandoned: number;
  /** Failed Redis operations and connection errors. */
  redisErrors: number;
  /**
   * Times this instance dropped all its figures because it may have missed invalidations:
   * when its subscription to them came back after an outage (or first came up after
   * figures were cached without it).
   */
  resyncs: number;
  /** Figures (and loads in flight) held in this instance now. */
  size: number;
  /** `disabled` without Redis (or once closed); `up`, `connecting` or `down` (in an outage) with it. */
  redis: 'disabled' | 'connecting' | 'up' | 'down';
}

type MutableCounters = Omit<StatsCacheCounters, 'size' | 'redis'>;

/** An entry of the in-process cache; it knows its user so that eviction can untrack it. */
interface Entry {
  readonly value: unknown;
  readonly userId: string;
}

/** What a load needs; shared by every caller that joins it. */
interface LoadContext {
  readonly userId: string;
  readonly compute: (signal: AbortSignal) => Promise<unknown>;
}

/**
 * Lookups that find their load dropped by an invalidation start a new one; after this
 * many, the figure is computed directly (and not cached), so that a caller never fails
 * because of invalidations.
 */
const MAX_ATTEMPTS = 3;

const positiveInt = z.number().int().positive();

const optionsSchema = z
  .object({
    ttlMs: positiveInt.default(5_000),
    max: positiveInt.default(10_000),
    redis: z
      .object({
        url: z.string().refine((value) => {
          try {
            const { protocol } = new URL(value);
            return protocol === 'redis:' || protocol === 'rediss:';
          } catch {
            return false;
          }
        }, 'must be a redis:// or rediss:// URL'),
        keyPrefix: z.string().default('taskpulse:stats:'),
        commandTimeoutMs: positiveInt.default(500),
      })
      .strict()
      .optional(),
    logger: coreLoggerSchema.optional(),
    now: z
      .custom<() => number>((value) => typeof value === 'function', 'must be a function')
      .optional(),
  })
  .strict();

/**
 * The cache that statistics are served through: an in-process LRU cache (lru-cache) with a
 * time-to-live, optionally backed by Redis so that several instances share figures and
 * invalidations.
 *
 * - A key is user × figure × parameters; parameter order does not matter.
 * - Concurrent lookups of a missing key share one `compute` call.
 * - {@link StatsCache.invalidateUsers} drops every figure of those users, here and on every
 *   instance sharing the Redis; a compute that was running meanwhile is never stored.
 *
 * @example
 * ```ts
 * const cache = new StatsCache({ ttlMs: 5_000, redis: { url: 'redis://127.0.0.1:6379' } });
 * const stop = cache.attach(tp.events); // every write invalidates the affected users
 * const trend = await cache.get(
 *   { userId: caller.id, figure: 'trend', params: { days: 30, timeZone } },
 *   (signal) => queryTrend(caller.id, { days: 30, timeZone, signal }), // runs on a miss only
 * );
 * // on shutdown
 * await cache.close();
 * ```
 */
export class StatsCache {
  readonly #ttlMs: number;
  readonly #logger: CoreLogger;
  readonly #l1: LRUCache<string, Entry, LoadContext>;
  /** The keys of each user's entries, so that invalidating a user touches only those. */
  readonly #keysByUser = new Map<string, Set<string>>();
  /** The reasons lru-cache gave when it dropped a load: callers seeing one try again. */
  readonly #dropped = new WeakSet<object>();
  /** Users whose invalidation is on its way to Redis: their loads wait before reading it. */
  readonly #invalidating = new Map<string, Promise<void>>();
  readonly #unsubscribes = new Set<() => void>();
  readonly #counters: MutableCounters = {
    hits: 0,
    misses: 0,
    coalesced: 0,
    computes: 0,
    redisHits: 0,
    evictions: 0,
    invalidations: 0,
    abandoned: 0,
    redisErrors: 0,
    resyncs: 0,
  };
  /** Resolves to the store once ioredis is loaded; to undefined without Redis or without ioredis. */
  readonly #storeLoading: Promise<RedisStore | undefined> | undefined;
  #store: RedisStore | undefined;
  #storeFailed = false;
  #closed = false;

  /** @throws {TaskpulseError} `VALIDATION`, naming the bad option. */
  constructor(options: StatsCacheOptions = {}) {
    const config = parseWith(optionsSchema, options, 'statistics cache options');
    this.#ttlMs = config.ttlMs;
    this.#logger = config.logger ?? createConsoleLogger();
    this.#l1 = new LRUCache<string, Entry, LoadContext>({
      max: config.max,
      ttl: config.ttlMs,
      // lru-cache otherwise reuses a reading of its clock for a millisecond of real time
      ...(config.now ? { perf: { now: config.now }, ttlResolution: 0 } : {}),
      fetchMethod: (key, _stale, { signal, options: entryOptions, context }) =>
        this.#load(key, context, signal, entryOptions),
      dispose: (entry, key, reason) => {
        if (reason === 'evict') this.#counters.evictions++;
        // 'set' replaces an expired value with its fresh one: the key stays
        if (reason !== 'set') this.#untrack(entry.userId, key);
      },
    });
    const { redis } = config;
    if (redis) {
      this.#storeLoading = openRedisStore(
        { ...redis, ttlMs: config.ttlMs },
        {
          invalidated: (userIds) => this.#dropUsers(userIds),
          resync: (afterOutage) => this.#resync(afterOutage),
          failed: () => {
            this.#counters.redisErrors++;
          },
          logger: this.#logger,
        },
      ).then(
        (store) => {
          this.#store = store;
          return store;
        },
        (error: unknown) => {
          this.#storeFailed = true;
          this.#logger.warn(
            { error: error instanceof Error ? error.message : String(error) },
            'taskpulse: the statistics cache is configured with Redis, but ioredis cannot be loaded (install ioredis 5); figures are cached in this instance only.',
          );
          return undefined;
        },
      );
    }
  }

  /**
   * The cached figure, or the result of `compute`, which is then cached. Concurrent lookups
   * of a missing key share one `compute` call. `compute` gets a signal that aborts when its
   * result is no longer wanted (the user was invalidated meanwhile); its errors reach the
   * callers and are not cached. With Redis, values must be plain JSON data (a `Date` would
   * come back from Redis as a string).
   */
  async get<T>(key: StatsCacheKey, compute: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const id = canonicalKey(key);
    const context: LoadContext = { userId: key.userId, compute };
    for (let attempt = 0; attempt < MAX_ATTEMPTS && !this.#closed; attempt++) {
      this.#track(key.userId, id);
      const status: LRUCache.Status<string, Entry, LoadContext> = {};
      const loading = this.#l1.fetch(id, { context, status });
      this.#count(status.fetch);
      try {
        const entry = await loading;
        if (entry !== undefined) return entry.value as T;
      } catch (error) {
        if (!(typeof error === 'object' && error !== null && this.#dropped.has(error))) {
          throw error;
        }
      }
    }
    this.#counters.computes++;
    return compute(new AbortController().signal);
  }

  /**
   * Drops every cached figure of these users (all figures, all parameters), here and, with
   * Redis, on every instance sharing it. Loads running for them are abandoned: their callers
   * get a figure computed after this call. Never rejects; when Redis cannot be reached the
   * invalidation is replayed when it returns.
   */
  async invalidateUsers(userIds: readonly string[]): Promise<void> {
    if (this.#closed) return;
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return;
    this.#dropUsers(unique);
    if (!this.#storeLoading) return;
    const done = this.#storeLoading.then((store) => store?.invalidate(unique));
    for (const userId of unique) this.#invalidating.set(userId, done);
    await done;
    for (const userId of unique) {
      if (this.#invalidating.get(userId) === done) this.#invalidating.delete(userId);
    }
  }

  /**
   * Invalidates the users of every change event published on `bus` (its `affectedUserIds`).
   * Returns the function that stops it; `close()` stops it too.
   */
  attach(bus: ChangeEventBus): () => void {
    const unsubscribe = bus.subscribe((event) => {
      // a transport that may have missed events: anyone's figures may be stale
      if (event.type === 'resync') this.#resync(true);
      else void this.invalidateUsers(event.affectedUserIds);
    });
    const stop = () => {
      unsubscribe();
      this.#unsubscribes.delete(stop);
    };
    this.#unsubscribes.add(stop);
    return stop;
  }

  /** A snapshot of the counters, with the current size and Redis state. */
  stats(): StatsCacheCounters {
    return { ...this.#counters, size: this.#l1.size, redis: this.#redisState() };
  }

  /**
   * Detaches from every bus, drops the cached figures and quits the Redis connections
   * (after replaying pending invalidations if Redis is reachable). Later lookups compute
   * directly. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stop of [...this.#unsubscribes]) stop();
    this.#l1.clear();
    this.#keysByUser.clear();
    const store = await this.#storeLoading;
    await store?.close();
  }

  async #load(
    id: string,
    { userId, compute }: LoadContext,
    signal: AbortSignal,
    entryOptions: LRUCache.FetcherFetchOptions<string, Entry, LoadContext>,
  ): Promise<Entry | undefined> {
    let failed = false;
    // lru-cache aborts a load when its entry goes away (deleted, evicted, cleared) and,
    // after the fact, when the load failed; only the first kind drops a result
    signal.addEventListener(
      'abort',
      () => {
        if (typeof signal.reason === 'object' && signal.reason !== null) {
          this.#dropped.add(signal.reason);
        }
        this.#untrack(userId, id);
        if (!failed) this.#counters.abandoned++;
      },
      { once: true },
    );
    try {
      const store = this.#store ?? (await this.#storeLoading);
      let shared: SharedRead | undefined;
      if (store) {
        // an invalidation of this user still on its way to Redis would leave us reading
        // the old generation
        await this.#invalidating.get(userId);
        shared = await store.read(userId, id);
      }
      // dropped meanwhile: lru-cache has already sent the callers to a new load
      if (signal.aborted) return undefined;
      if (shared?.hit) {
        this.#counters.redisHits++;
        entryOptions.ttl = Math.min(this.#ttlMs, shared.hit.ttlMs);
        return { value: shared.hit.value, userId };
      }
      this.#counters.computes++;
      const value = await compute(signal);
      if (store && shared && !signal.aborted) await store.write(shared.generation, id, value);
      return { value, userId };
    } catch (error) {
      failed = true;
      throw error;
    }
  }

  #count(outcome: LRUCache.Status<string, Entry, LoadContext>['fetch']): void {
    if (outcome === 'hit') this.#counters.hits++;
    else if (outcome === 'inflight') this.#counters.coalesced++;
    else this.#counters.misses++;
  }

  #track(userId: string, key: string): void {
    let keys = this.#keysByUser.get(userId);
    if (!keys) {
      keys = new Set();
      this.#keysByUser.set(userId, keys);
    }
    keys.add(key);
  }

  #untrack(userId: string, key: string): void {
    const keys = this.#keysByUser.get(userId);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.#keysByUser.delete(userId);
  }

  /** Drops the users' entries here; deleting an entry whose load runs aborts that load. */
  #dropUsers(userIds: readonly string[]): void {
    for (const userId of userIds) {
      const keys = this.#keysByUser.get(userId);
      this.#keysByUser.delete(userId);
      for (const key of keys ?? []) this.#l1.delete(key);
    }
    this.#counters.invalidations += userIds.length;
  }

  /** Drops everything: this instance may have missed invalidations. */
  #resync(afterOutage: boolean): void {
    if (!afterOutage && this.#l1.size === 0) return;
    this.#l1.clear();
    this.#keysByUser.clear();
    this.#counters.resyncs++;
  }

  #redisState(): StatsCacheCounters['redis'] {
    if (!this.#storeLoading || this.#closed) return 'disabled';
    if (this.#storeFailed) return 'down';
    return this.#store?.state ?? 'connecting';
  }
}
