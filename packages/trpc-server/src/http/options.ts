import { TaskpulseError } from '@taskpulse/core';
import type { AnyTRPCRouter } from '@trpc/server';
import type { ResolvedOpenApiOptions, TaskpulseOpenApiOptions } from '../openapi/index.ts';
import type { TaskpulseRuntime, TaskpulseRuntimeOptions } from '../runtime/index.ts';
import { compileTrustProxy, type TrustProxy, type TrustProxyFunction } from './client-ip.ts';
import { type ResolvedCors, resolveCors, type TaskpulseCorsOptions } from './cors.ts';
import type { TaskpulseRouteFactory } from './routes.ts';

/** HTTP options shared by the Node server and the fetch handler. */
export interface TaskpulseHttpOptions {
  /** Where the tRPC API is served. @default '/trpc' */
  basePath?: string;
  /** The largest request body, in bytes; a larger one is refused with 413 (`PAYLOAD_TOO_LARGE`). @default 1048576 */
  maxBodySize?: number;
  /**
   * The most calls in one batch; more are refused with 400 (`BAD_REQUEST`). Give the client's
   * batch link a `maxItems` no larger. @default 20
   */
  maxBatchSize?: number;
  /**
   * Which proxies in front of the server say who the client is (for the per-IP rate limit and
   * the logs): a number of hops, addresses or CIDRs, as Express's `trust proxy` (see
   * {@link TrustProxy}); the client's IP is the right-most `X-Forwarded-For` entry that no
   * trusted proxy wrote. `true` is one hop. Set it only behind proxies: anyone can send the
   * header.
   *
   * @example
   * ```ts
   * trustProxy: 1                          // one proxy (nginx, a load balancer) in front
   * trustProxy: ['loopback', '10.0.0.0/8'] // proxies on these addresses
   * ```
   * @default false
   */
  trustProxy?: TrustProxy;
  /** Where Prometheus metrics are served, or `false` not to serve them. @default '/metrics' */
  metricsPath?: string | false;
  /**
   * Lets web pages of other origins call the API from a browser (CORS), on every route (the
   * API, `dashboard.live`'s SSE, `/mcp`, health, metrics): preflights are answered, the
   * `Authorization`, `Content-Type` and `Idempotency-Key` request headers allowed, and
   * `x-request-id`, `Retry-After` and the `RateLimit` headers exposed. See
   * {@link TaskpulseCorsOptions}.
   *
   * @example
   * ```ts
   * cors: { origin: ['https://app.example.com', 'http://localhost:5173'] }
   * ```
   * @default false (same origin only: no CORS headers)
   */
  cors?: TaskpulseCorsOptions | false;
  /**
   * More endpoints beside the API, on the same runtime (authentication, rate limits, logs,
   * metrics), such as `@taskpulse/mcp`'s `/mcp`.
   *
   * @example
   * ```ts
   * import { taskpulseMcp } from '@taskpulse/mcp';
   * createTaskpulseServer({ taskpulse: tp, auth, routes: [taskpulseMcp()] });
   * ```
   * @default []
   */
  routes?: readonly TaskpulseRouteFactory[];
  /**
   * The OpenAPI 3.1 document of the HTTP API (`GET /openapi.json`, generated from the
   * procedures' zod schemas when the server starts) and an API reference page on it
   * (`GET /docs`, Swagger UI served from npm), or `false` for neither.
   *
   * @example
   * ```ts
   * createTaskpulseServer({ taskpulse: tp, auth, openapi: { docsPath: false } }); // no page
   * ```
   * @default { path: '/openapi.json', docsPath: '/docs' }
   */
  openapi?: TaskpulseOpenApiOptions | false;
}

/** A runtime made elsewhere (it is then not closed with the server), and optionally a router built on it. */
export interface ExistingRuntimeOptions {
  /** The runtime, from `createTaskpulseRuntime`. */
  runtime: TaskpulseRuntime;
  /** The router to serve. @default createTaskpulseRouter(runtime) */
  // biome-ignore lint/suspicious/noExplicitAny: any router whose context is taskpulse's
  router?: AnyTRPCRouter & { _def: { _config: { $types: { ctx: any } } } };
}

/** Options of the Node server and the fetch handler: a runtime's options or a runtime, plus HTTP. */
export type TaskpulseServerOptions = TaskpulseHttpOptions &
  (TaskpulseRuntimeOptions | ExistingRuntimeOptions);

/** {@link TaskpulseHttpOptions} with defaults applied. */
export interface ResolvedHttpOptions {
  readonly basePath: string;
  readonly maxBodySize: number;
  readonly maxBatchSize: number;
  readonly trustProxy: TrustProxyFunction | false;
  readonly metricsPath: string | false;
  readonly cors: ResolvedCors | false;
  readonly routes: readonly TaskpulseRouteFactory[];
  readonly openapi: ResolvedOpenApiOptions | false;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new TaskpulseError(
      'VALIDATION',
      `Invalid HTTP option ${name}: must be an integer >= 1.`,
      {
        issues: [{ path: [name], message: 'must be an integer >= 1' }],
      },
    );
  }
  return value;
}

/** `value` as a path option named `name`: `/` and path characters, no trailing slash. */
export function checkPath(name: string, value: string): string {
  if (!/^\/[\w./-]*$/.test(value)) {
    throw new TaskpulseError(
      'VALIDATION',
      `Invalid HTTP option ${name}: must be a path such as /trpc.`,
      {
        issues: [{ path: [name], message: 'must start with / and hold only path characters' }],
      },
    );
  }
  return value.length > 1 ? value.replace(/\/+$/, '') : value;
}

/** Applies the defaults and checks the values. */
export function resolveHttpOptions(options: TaskpulseHttpOptions): ResolvedHttpOptions {
  return {
    basePath: checkPath('basePath', options.basePath ?? '/trpc'),
    maxBodySize: positiveInteger('maxBodySize', options.maxBodySize, 1_048_576),
    maxBatchSize: positiveInteger('maxBatchSize', options.maxBatchSize, 20),
    trustProxy: compileTrustProxy(options.trustProxy),
    metricsPath:
      options.metricsPath === false
        ? false
        : checkPath('metricsPath', options.metricsPath ?? '/metrics'),
    cors: resolveCors(options.cors),
    routes: options.routes ?? [],
    openapi: options.openapi === false ? false : resolveOpenApiOptions(options.openapi ?? {}),
  };
}

function resolveOpenApiOptions(options: TaskpulseOpenApiOptions): ResolvedOpenApiOptions {
  return {
    path: checkPath('openapi.path', options.path ?? '/openapi.json'),
    docsPath:
      options.docsPath === false
        ? false
        : checkPath('openapi.docsPath', options.docsPath ?? '/docs'),
    info: { title: 'taskpulse API', ...options.info },
    servers: options.servers ?? [],
  };
}

/** Whether `pathname` is served by tRPC. */
export function isTrpcPath(pathname: string, basePath: string): boolean {
  return pathname === basePath || pathname.startsWith(`${basePath}/`);
}
