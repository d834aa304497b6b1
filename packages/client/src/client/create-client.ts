import {
  createTRPCClient,
  httpBatchStreamLink,
  httpSubscriptionLink,
  type OperationLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
  type TRPCLink,
} from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import type { EventSourceLike } from '@trpc/server/unstable-core-do-not-import';
import type { TaskpulseRouter } from '../router/types.ts';
import { resolveClientOptions, type TaskpulseClientOptions } from './options.ts';
import {
  IDEMPOTENCY_KEY_HEADER,
  idempotencyKeyHeader,
  idempotencyKeyLink,
  MissingEventSourceError,
  retryLinks,
} from './retry.ts';

/** A typed client of every taskpulse procedure: `client.tasks.create.mutate(…)`, `client.dashboard.live.subscribe(…)`. */
export type TaskpulseClient = TRPCClient<TaskpulseRouter>;

/**
 * `httpSubscriptionLink` on the EventSource of the options, else the global one, looked up when
 * a subscription starts (a polyfill may be installed after the client is made). Without any, a
 * subscription fails at once with a {@link MissingEventSourceError} that says what to do.
 */
function sseLink(
  EventSource: EventSourceLike.AnyConstructor | undefined,
  options: {
    url: string;
    connectionParams: () => Promise<Record<string, string> | null>;
  },
): TRPCLink<TaskpulseRouter> {
  return (runtime) => {
    let link: OperationLink<TaskpulseRouter> | undefined;
    return (call) => {
      const found =
        EventSource ?? (globalThis as { EventSource?: EventSourceLike.AnyConstructor }).EventSource;
      if (!found) {
        return observable((observer) => {
          observer.error(TRPCClientError.from(new MissingEventSourceError()));
        });
      }
      link ??= httpSubscriptionLink<TaskpulseRouter, EventSourceLike.AnyConstructor>({
        ...options,
        EventSource: found,
      })(runtime);
      return link(call);
    };
  };
}

/**
 * The links of a taskpulse client: a retry link for queries (and live subscriptions), then
 * subscriptions over SSE (`httpSubscriptionLink`, the token sent as connection params since an
 * EventSource cannot send headers) and everything else batched over HTTP
 * (`httpBatchStreamLink`, the token as `Authorization: Bearer`). For apps that build their own
 * tRPC client around them (adding a `loggerLink` in front, say).
 *
 * @example
 * ```ts
 * const client = createTRPCClient<TaskpulseRouter>({
 *   links: [loggerLink(), ...createTaskpulseLinks({ url, getToken })],
 * });
 * ```
 */
export function createTaskpulseLinks<THost extends AnyTRPCRouter | undefined = undefined>(
  options: TaskpulseClientOptions<THost>,
): TRPCLink<TaskpulseRouter>[] {
  const resolved = resolveClientOptions(options);
  const { trpcUrl, pathPrefix, getToken, retry } = resolved;

  const transport = splitLink<TaskpulseRouter>({
    condition: (op) => op.type === 'subscription',
    true: sseLink(resolved.EventSource, {
      url: trpcUrl,
      // called on every (re)connection that tRPC makes, so a refreshed token is used
      connectionParams: async () => {
        const token = getToken ? await getToken() : undefined;
        return token ? { token } : null;
      },
    }),
    false: httpBatchStreamLink({
      url: trpcUrl,
      maxItems: resolved.maxBatchSize,
      ...(resolved.fetch ? { fetch: resolved.fetch } : {}),
      headers: async ({ opList }) => {
        const headers = { ...(await resolved.headers()) };
        const token = getToken ? await getToken() : undefined;
        if (token) (headers as Record<string, string>).authorization = `Bearer ${token}`;
        // one key per mutation of the batch, in its order
        const keys = idempotencyKeyHeader(opList);
        if (keys !== undefined) (headers as Record<string, string>)[IDEMPOTENCY_KEY_HEADER] = keys;
        return headers;
      },
    }),
  });
  // behind the retries, so that they see taskpulse's own paths
  const links = pathPrefix === '' ? [transport] : [prefixPaths(pathPrefix), transport];
  // every mutation gets its key before the retries, so that each attempt sends the same one
  if (retry === false) return [idempotencyKeyLink(), ...links];
  return [idempotencyKeyLink(), ...retryLinks(retry, resolved.refreshesToken), ...links];
}

/** Sends every call to `<prefix><path>`: taskpulse's procedures mounted under a host router's key. */
function prefixPaths(prefix: string): TRPCLink<TaskpulseRouter> {
  return () =>
    ({ op, next }) =>
      next({ ...op, path: `${prefix}${op.path}` });
}

/**
 * Creates a typed client of a taskpulse server. Queries and mutations are batched over HTTP;
 * `dashboard.live` streams over Server-Sent Events. Queries, and mutations (each sent with an
 * `Idempotency-Key`, the same on every attempt), are retried with backoff when the server cannot
 * be reached or answers `SERVICE_UNAVAILABLE`.
 * Options are checked at once: a bad one throws a `TypeError` that names it.
 *
 * @example
 * ```ts
 * import { createTaskpulseClient } from '@taskpulse/client';
 *
 * const client = createTaskpulseClient({ url: 'https://api.example.com', getToken: () => auth.token() });
 * const task = await client.tasks.create.mutate({ title: 'Write the report', priority: 'high' });
 * const stats = await client.dashboard.statistics.query();
 * const live = client.dashboard.live.subscribe(
 *   { timeZone: 'Europe/Berlin' },
 *   { onData: ({ data }) => render(data.statistics, data.activity) },
 * );
 *
 * // taskpulse's procedures mounted under `taskpulse` of a host app's router served at /api/trpc
 * // (the type argument, optional, checks the key against the host's router):
 * const hosted = createTaskpulseClient<AppRouter>({ url: '/', basePath: '/api/trpc', mountedAt: 'taskpulse' });
 * await hosted.me.query(); // calls taskpulse.me
 * ```
 */
export function createTaskpulseClient<THost extends AnyTRPCRouter | undefined = undefined>(
  options: TaskpulseClientOptions<THost>,
): TaskpulseClient {
  return createTRPCClient<TaskpulseRouter>({ links: createTaskpulseLinks(options) });
}
