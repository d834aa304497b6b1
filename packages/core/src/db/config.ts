import { z } from 'zod';
import { coreLoggerSchema } from '../logging/index.ts';
import type { TaskpulseOrm } from './open.ts';

/** One executed SQL statement, as reported to the `onQuery` option of `createTaskpulse`. */
export interface QueryEvent {
  /** The statement's text. */
  readonly sql: string;
  /** From sending the statement to its result (or error), in milliseconds. */
  readonly durationMs: number;
}

const postgresDatabase = z
  .object({
    /** A PostgreSQL connection URL, `postgres://user:password@host:port/database`. */
    url: z
      .string()
      .min(1)
      .refine((value) => {
        try {
          const { protocol } = new URL(value);
          return protocol === 'postgres:' || protocol === 'postgresql:';
        } catch {
          return false;
        }
      }, 'must be a postgres:// or postgresql:// URL'),
    /** Most connections the pool opens. @default 10 */
    poolSize: z.number().int().min(1).max(1000).optional(),
    /**
     * How long one statement may run: the server cancels it after this long, and the client
     * gives up 5 s later if the server does not answer at all (a network black hole). Either
     * way the caller gets `UNAVAILABLE`. `0` turns both off.
     * @default 30000
     */
    queryTimeoutMs: z.number().int().min(0).max(3_600_000).optional(),
  })
  .strict();

const embeddedDatabase = z
  .object({
    embedded: z
      .object({
        /** Folder that keeps the data; in memory when absent. */
        dataDir: z.string().min(1).optional(),
      })
      .strict(),
  })
  .strict();

/** The `database` part of the configuration, as written by the caller. */
export type DatabaseConfigInput =
  | z.input<typeof postgresDatabase>
  | z.input<typeof embeddedDatabase>;
/** The `database` part of the configuration: a PostgreSQL server, or embedded PGlite. */
export type DatabaseConfig = z.output<typeof postgresDatabase> | z.output<typeof embeddedDatabase>;

/**
 * The `database` part of {@link TaskpulseConfig}. It picks the variant by its key (`embedded`
 * or `url`) before validating, so that an error names the bad field itself
 * (`database.embedded.dataDir`) rather than "matches no variant".
 */
export const databaseConfigSchema: z.ZodType<DatabaseConfig, DatabaseConfigInput> = z
  .unknown()
  .transform((value, ctx): DatabaseConfig => {
    if (value === undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          'is required: { url } for a PostgreSQL server, { embedded: { dataDir? } } for PGlite — or give `orm`, your own MikroORM instance, instead',
      });
      return z.NEVER;
    }
    if (typeof value !== 'object' || value === null || !('url' in value || 'embedded' in value)) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be { url } for a PostgreSQL server or { embedded: { dataDir? } } for PGlite',
      });
      return z.NEVER;
    }
    const result = ('embedded' in value ? embeddedDatabase : postgresDatabase).safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
    return z.NEVER;
  }) as unknown as z.ZodType<DatabaseConfig, DatabaseConfigInput>;

const cacheConfig = z
  .object({
    /** How long a figure is served from the cache. @default 5000 */
    ttlMs: z.number().int().min(1).max(3_600_000).optional(),
    /** Most figures kept in this process. @default 10000 */
    max: z.number().int().min(1).max(10_000_000).optional(),
    /** Share figures and invalidations between instances through Redis (needs `ioredis`). */
    redis: z
      .object({
        url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
        keyPrefix: z.string().min(1).max(100).optional(),
        commandTimeoutMs: z.number().int().min(1).max(60_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The parts of a MikroORM instance taskpulse reads to tell an ORM from anything else. */
const ormSchema = z.custom<TaskpulseOrm>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { em?: { fork?: unknown } }).em?.fork === 'function' &&
    typeof (value as { getMetadata?: unknown }).getMetadata === 'function' &&
    typeof (value as { config?: { get?: unknown } }).config?.get === 'function',
  'must be a MikroORM instance (from MikroORM.init() of @mikro-orm/postgresql or @mikro-orm/pglite)',
);

/** The options of both ways to open taskpulse. */
const sharedOptions = {
  /**
   * How long to keep retrying the first connection (exponential backoff) before giving up.
   * @default 10000
   */
  connectTimeoutMs: z.number().int().min(0).max(600_000).default(10_000),
  /**
   * Where change events go. `local`: to this process's listeners only. `postgres`: also to
   * every other instance on the same database, through LISTEN/NOTIFY (needs a session
   * connection of its own, not a transaction-pooling proxy).
   * @default 'local'
   */
  changeEvents: z.enum(['local', 'postgres']).default('local'),
  /**
   * The statistics cache, or `false` for none. Writes through the SDK invalidate the
   * affected users' figures at once; writes behind its back show within `ttlMs`.
   * @default {} (in this process, 5 s, 10,000 figures)
   */
  cache: z.union([z.literal(false), cacheConfig]).default({}),
  /**
   * Apply pending migrations when opening. On an app's own ORM these are all of its pending
   * migrations, the app's included, in the order of its `migrations.migrationsList`.
   * @default false
   */
  migrate: z.boolean().default(false),
  /**
   * Called after every SQL statement with its text and how long it took, for metrics and
   * slow-query logs. The text is the statement as sent: placeholders for Kysely queries, but
   * MikroORM inlines the values of its own queries, so treat it as sensitive.
   */
  onQuery: z
    .custom<(query: QueryEvent) => void>(
      (value) => typeof value === 'function',
      'must be a function taking { sql, durationMs }',
    )
    .optional(),
  /**
   * Where core reports what it has to (a lost LISTEN session, Redis down and back, a change
   * listener that failed): `{ debug, info, warn, error }` taking `(fields, message)`, as pino's
   * logger does. An API server (`createTaskpulseRuntime`) sends them to its own logger when
   * this is not set.
   * @default a console logger (`console.info`/`warn`/`error`)
   */
  logger: coreLoggerSchema.optional(),
  /** The clock: what "now" is for every write and statistic. @default () => new Date() */
  clock: z
    .custom<() => Date>(
      (value) => typeof value === 'function',
      'must be a function returning a Date',
    )
    .optional(),
};

/** Opening taskpulse on a database of its own: it creates the ORM and its pool. */
const ownDatabaseConfig = z
  .object({
    database: databaseConfigSchema,
    /** Log every SQL query through MikroORM's logger. @default false */
    debug: z.boolean().default(false),
    ...sharedOptions,
  })
  .strict();

/** Opening taskpulse on an app's own MikroORM instance: one ORM, one pool, the app's config. */
const hostOrmConfig = z
  .object({
    /**
     * The app's MikroORM instance (PostgreSQL or PGlite), with taskpulse's `entities` and
     * `routines` registered (and its `migrationsList` among the app's migrations, to migrate).
     * taskpulse uses its pool and never closes it.
     */
    orm: ormSchema,
    ...sharedOptions,
  })
  .strict();

/** Configuration of {@link createTaskpulse} on a database of its own, as written by the caller. */
export type TaskpulseDatabaseConfig = z.input<typeof ownDatabaseConfig>;
/** Configuration of {@link createTaskpulse} on an app's own ORM, as written by the caller. */
export type TaskpulseOrmConfig = z.input<typeof hostOrmConfig>;
/** Configuration of {@link createTaskpulse}, as written by the caller: `database` or `orm`. */
export type TaskpulseConfig = TaskpulseDatabaseConfig | TaskpulseOrmConfig;
/** {@link TaskpulseConfig} with its defaults applied. */
export type ResolvedTaskpulseConfig =
  | z.output<typeof ownDatabaseConfig>
  | z.output<typeof hostOrmConfig>;

/**
 * Schema of {@link TaskpulseConfig}; `createTaskpulse` validates its argument with it. It picks
 * the variant by its key (`orm`, else `database`) before validating, so that errors name the
 * bad field rather than "matches no variant".
 */
export const taskpulseConfigSchema: z.ZodType<ResolvedTaskpulseConfig, TaskpulseConfig> = z
  .unknown()
  .transform((value, ctx): ResolvedTaskpulseConfig => {
    const withOrm = typeof value === 'object' && value !== null && 'orm' in value;
    if (withOrm && (value as { database?: unknown }).database !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['database'],
        message:
          'give either `database` (taskpulse opens its own pool) or `orm` (your MikroORM instance), not both',
      });
      return z.NEVER;
    }
    const result = (withOrm ? hostOrmConfig : ownDatabaseConfig).safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const isDebugOnOrm =
        withOrm && issue.code === 'unrecognized_keys' && issue.keys.includes('debug');
      ctx.addIssue({
        code: 'custom',
        path: issue.path,
        message: isDebugOnOrm
          ? `${issue.message}: \`debug\` is your ORM's own option (set it in its MikroORM config)`
          : issue.message,
      });
    }
    return z.NEVER;
  }) as unknown as z.ZodType<ResolvedTaskpulseConfig, TaskpulseConfig>;
