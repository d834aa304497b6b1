import type { HTTPBatchStreamLinkOptions, HTTPHeaders } from '@trpc/client';
import type { AnyTRPCRouter, inferRouterOutputs } from '@trpc/server';
import type { AnyClientTypes, EventSourceLike } from '@trpc/server/unstable-core-do-not-import';
import type { TaskpulseRouter } from '../router/types.ts';

/** What `getToken` may return: a token, or nothing for an anonymous call. */
export type TokenResult = string | null | undefined;

/** How queries (and live subscriptions) are retried. */
export interface TaskpulseRetryOptions {
  /**
   * How many times a failed query is retried before its error is thrown; also how many times
   * in a row a live subscription is re-opened without managing to connect.
   * @default 3
   */
  attempts?: number;
  /** The delay before the first retry; each next one doubles it (with jitter). @default 250 */
  baseDelayMs?: number;
  /** The longest delay between two attempts. @default 5000 */
  maxDelayMs?: number;
}

type TaskpulseOutputs = inferRouterOutputs<TaskpulseRouter>;

/** The dotted paths of `T` (router outputs) under which all of taskpulse's procedures are. */
type MountPaths<T, Prefix extends string, Depth extends unknown[]> = Depth['length'] extends 3
  ? never
  : {
      [K in keyof T & string]: T[K] extends TaskpulseOutputs
        ? `${Prefix}${K}`
        : T[K] extends object
          ? MountPaths<T[K], `${Prefix}${K}.`, [...Depth, unknown]>
          : never;
    }[keyof T & string];

/**
 * The keys (dotted, for nested routers) under which a host app's router `THost` mounts
 * taskpulse's procedures (`createTaskpulseHostRouter`): what `mountedAt` may be when the client
 * is made with `createTaskpulseClient<typeof appRouter>(…)`.
 *
 * @example
 * ```ts
 * const appRouter = t.router({ projects, taskpulse: createTaskpulseHostRouter(t, { runtime, context }) });
 * type Key = TaskpulseMountKey<typeof appRouter>; // 'taskpulse'
 * ```
 */
export type TaskpulseMountKey<THost extends AnyTRPCRouter> = MountPaths<
  inferRouterOutputs<THost>,
  '',
  []
>;

/**
 * Options of {@link createTaskpulseClient}. `THost` is a host app's router type, when the
 * procedures are mounted in one: `mountedAt` is then checked against its keys.
 */
export interface TaskpulseClientOptions<THost extends AnyTRPCRouter | undefined = undefined> {
  /**
   * The server's base URL, e.g. `https://api.example.com` or, in a browser, a path on the
   * page's origin such as `/` or `/api`. The client calls `<url><basePath>`: `<url>/trpc` by
   * default, where a URL whose path already ends in `/trpc` is used as it is.
   */
  url: string | URL;
  /**
   * Where the tRPC endpoint is under `url`: the `basePath` of taskpulse's server, or the
   * endpoint of the host app's tRPC handler (e.g. `/api/trpc`).
   * @default '/trpc'
   */
  basePath?: string;
  /**
   * The key of a host app's tRPC router under which taskpulse's procedures are mounted
   * (`createTaskpulseHostRouter`), e.g. `'taskpulse'`, or `'api.taskpulse'` for a nested
   * router: `client.me.query()` then calls `taskpulse.me`. The client's types stay those of
   * taskpulse's procedures.
   */
  mountedAt?: THost extends AnyTRPCRouter ? TaskpulseMountKey<THost> : string;
  /** A fixed token, sent as `Authorization: Bearer <token>` (and to live subscriptions). */
  token?: string;
  /**
   * Returns the token to send, for tokens that expire: called before every HTTP request and
   * every (re)connection of a live subscription, so a refreshed token is picked up. Return
   * null or undefined to call anonymously (only `health` allows it).
   */
  getToken?: () => TokenResult | Promise<TokenResult>;
  /** A fetch implementation to use instead of the global one. @default globalThis.fetch */
  fetch?: NonNullable<HTTPBatchStreamLinkOptions<AnyClientTypes>['fetch']>;
  /** Headers sent with every query and mutation (or a function returning them, per request). */
  headers?: HTTPHeaders | (() => HTTPHeaders | Promise<HTTPHeaders>);
  /**
   * The EventSource class live subscriptions connect with. Browsers and Deno have one; in Node,
   * pass `EventSource` from the `eventsource` package.
   * @default globalThis.EventSource
   */
  EventSource?: EventSourceLike.AnyConstructor;
  /**
   * How failed calls are retried, or `false` to never retry: queries, and mutations (each sent
   * with an `Idempotency-Key`, the same on every attempt, so that none is carried out twice),
   * when the API could not be reached or answered `SERVICE_UNAVAILABLE`.
   */
  retry?: TaskpulseRetryOptions | false;
  /**
   * The most calls batched into one HTTP request: no more than the server's `maxBatchSize`.
   * @default 20 (the server's default)
   */
  maxBatchSize?: number;
}

/** The options of {@link createTaskpulseClient}, checked and with their defaults. */
export interface ResolvedClientOptions {
  readonly trpcUrl: string;
  /** The prefix of every procedure path (`taskpulse.`), or '' for a standalone server. */
  readonly pathPrefix: string;
  readonly getToken: (() => Promise<TokenResult>) | undefined;
  readonly refreshesToken: boolean;
  readonly fetch: TaskpulseClientOptions['fetch'];
  readonly headers: () => Promise<HTTPHeaders>;
  readonly EventSource: EventSourceLike.AnyConstructor | undefined;
  readonly retry: Required<TaskpulseRetryOptions> | false;
  readonly maxBatchSize: number;
}

const PREFIX = 'createTaskpulseClient:';

function fail(message: string): never {
  throw new TypeError(`${PREFIX} ${message}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  return typeof value;
}

/**
 * The tRPC endpoint for `url` and `basePath`: `<url><basePath>`; without a `basePath`,
 * `<url>/trpc`, unless the path already ends in `/trpc`.
 */
export function toTrpcUrl(url: unknown, basePath?: unknown): string {
  const raw = url instanceof URL ? url.href : url;
  if (typeof raw !== 'string' || raw.trim() === '') {
    fail(
      `\`url\` must be the server's base URL (e.g. "https://api.example.com"); got ${describe(url)}.`,
    );
  }
  let pathname = raw;
  if (!raw.startsWith('/')) {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      fail(
        `\`url\` must be an absolute http(s) URL (e.g. "https://api.example.com") or a path on the page's origin (e.g. "/api"); got ${describe(raw)}.`,
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      fail(`\`url\` must use http or https; got ${describe(parsed.protocol)}.`);
    }
    pathname = parsed.pathname;
  }
  if (/[?#]/.test(raw)) fail(`\`url\` must not carry a query or a fragment; got ${describe(raw)}.`);
  // a URL into a tRPC endpoint (…/trpc/taskpulse) is a mount key written as a path
  const inside = basePath === undefined ? /\/trpc\/([^/]+)\/*$/.exec(pathname) : null;
  if (inside) {
    fail(
      `\`url\` points inside a tRPC endpoint (${describe(raw)}): give the endpoint as \`basePath\` and the router key as \`mountedAt\`, e.g. { url: "${raw.slice(0, raw.length - pathname.length) || '/'}", basePath: "${pathname.slice(0, inside.index + 5)}", mountedAt: "${inside[1]}" }.`,
    );
  }
  const base = raw.replace(/\/+$/, '');
  if (basePath === undefined) return base.endsWith('/trpc') ? base : `${base}/trpc`;
  if (
    typeof basePath !== 'string' ||
    !/^\/[^?#]*$/.test(basePath) ||
    /(^|\/)\.\.?(\/|$)/.test(basePath)
  ) {
    fail(
      `\`basePath\` must be a path starting with "/" (e.g. "/api/trpc"), without a query, a fragment or dot segments; got ${describe(basePath)}.`,
    );
  }
  return `${base}${basePath.replace(/\/+$/, '')}`;
}

/** The prefix of every procedure path for `mountedAt`: `taskpulse.`, or '' when not mounted. */
function toPathPrefix(mountedAt: unknown): string {
  if (mountedAt === undefined) return '';
  if (
    typeof mountedAt !== 'string' ||
    !/^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/.test(mountedAt)
  ) {
    fail(
      `\`mountedAt\` must be the key of the host router that taskpulse's procedures are mounted under (e.g. "taskpulse", or "api.taskpulse" when nested); got ${describe(mountedAt)}.`,
    );
  }
  return `${mountedAt}.`;
}

function checkCount(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(`\`${name}\` must be an integer of at least ${min}; got ${describe(value)}.`);
  }
  return value;
}

function resolveRetry(retry: unknown): Required<TaskpulseRetryOptions> | false {
  if (retry === false) return false;
  if (retry === undefined) return { attempts: 3, baseDelayMs: 250, maxDelayMs: 5000 };
  if (typeof retry !== 'object' || retry === null) {
    fail(`\`retry\` must be an object or false; got ${describe(retry)}.`);
  }
  const { attempts = 3, baseDelayMs = 250, maxDelayMs = 5000 } = retry as TaskpulseRetryOptions;
  return {
    attempts: checkCount(attempts, 'retry.attempts', 0),
    baseDelayMs: checkCount(baseDelayMs, 'retry.baseDelayMs', 0),
    maxDelayMs: checkCount(maxDelayMs, 'retry.maxDelayMs', 0),
  };
}

/** Checks the options of {@link createTaskpulseClient}; throws a TypeError naming the bad one. */
export function resolveClientOptions(
  options: TaskpulseClientOptions<AnyTRPCRouter | undefined>,
): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) {
    fail(`expected an options object such as { url, token }; got ${describe(options)}.`);
  }
  const { token, getToken, fetch, headers, EventSource } = options;
  const trpcUrl = toTrpcUrl(options.url, options.basePath);
  const pathPrefix = toPathPrefix(options.mountedAt);
  if (token !== undefined && getToken !== undefined) {
    fail('give either `token` or `getToken`, not both.');
  }
  if (token !== undefined && (typeof token !== 'string' || token.trim() === '')) {
    fail(`\`token\` must be a non-empty string; got ${describe(token)}.`);
  }
  if (getToken !== undefined && typeof getToken !== 'function') {
    fail(`\`getToken\` must be a function returning the token; got ${describe(getToken)}.`);
  }
  if (fetch !== undefined && typeof fetch !== 'function') {
    fail(`\`fetch\` must be a function; got ${describe(fetch)}.`);
  }
  if (headers !== undefined && typeof headers !== 'function' && typeof headers !== 'object') {
    fail(`\`headers\` must be an object or a function returning one; got ${describe(headers)}.`);
  }
  if (EventSource !== undefined && typeof EventSource !== 'function') {
    fail(
      `\`EventSource\` must be an EventSource class (in Node, \`EventSource\` from the "eventsource" package); got ${describe(EventSource)}.`,
    );
  }
  const readToken =
    getToken !== undefined
      ? async () => getToken()
      : token !== undefined
        ? async () => token
        : undefined;
  return {
    trpcUrl,
    pathPrefix,
    getToken: readToken,
    refreshesToken: getToken !== undefined,
    fetch,
    headers: async () => (typeof headers === 'function' ? await headers() : (headers ?? {})),
    EventSource,
    retry: resolveRetry(options.retry),
    maxBatchSize: checkCount(options.maxBatchSize ?? 20, 'maxBatchSize', 1),
  };
}
