import { TaskpulseError } from '@taskpulse/core';
import { type AnyTRPCRouter, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { TaskpulseRequestContext } from '../context/index.ts';
import { type RateLimitScope, retryAfterSeconds } from '../errors/index.ts';
import {
  type CallRecord,
  createRequestRecord,
  type RequestRecord,
  type TaskpulseLogger,
} from '../logging/index.ts';
import { createOpenApiRoute, type TaskpulseRouteOpenApi } from '../openapi/index.ts';
import { openRequestContext, requestInternals, type TaskpulseRuntime } from '../runtime/index.ts';
import { declaresTooLarge, limitBody } from './body-limit.ts';
import { createExportRoute } from './export-route.ts';
import { checkPath, isTrpcPath, type ResolvedHttpOptions } from './options.ts';
import { RESPONSE_HEADERS, withHeaders } from './plain-routes.ts';
import { logRequest } from './trpc-handler-options.ts';

/** What a {@link TaskpulseRoute} gets besides the `Request`: the request's side of the runtime. */
export interface TaskpulseRouteContext {
  /**
   * The request's taskpulse context: its id, the client's IP, a logger stamped with the request
   * id, and `authenticate()` (the API's own token verification and user provisioning, once per
   * request). `authenticate()` throws a `TRPCError` (`UNAUTHORIZED`, `SERVICE_UNAVAILABLE`); a
   * route that lets it through answers 401 or 503 with a JSON error.
   */
  readonly request: TaskpulseRequestContext;
  /**
   * Counts one call against the API's rate limit of `scope` (`ip` before authentication, `user`
   * after); throws a `TOO_MANY_REQUESTS` `TRPCError` whose cause is a `RateLimitedError` when
   * the budget is spent.
   */
  rateLimit(scope: RateLimitScope, key: string): Promise<void>;
  /** Adds one operation to the request's log line (the line is written when the response ends). */
  recordCall(call: CallRecord): void;
  /**
   * Whether the server listens on a loopback address only (`127.0.0.1`, `::1`, `localhost`):
   * known to the Node server once it listens, `undefined` in the fetch handler.
   */
  readonly loopback: boolean | undefined;
}

/**
 * An HTTP endpoint served beside `/trpc` by `createTaskpulseServer` and the fetch handler, on
 * the same runtime (authentication, rate limits, logs, metrics): `@taskpulse/mcp`'s `/mcp` is
 * one. Its requests and responses are Fetch API objects on both servers.
 */
export interface TaskpulseRoute {
  /** The paths it answers, exactly (no prefix matching). */
  readonly paths: readonly string[];
  /** Answers one request to one of {@link paths}. */
  handle(request: Request, context: TaskpulseRouteContext): Promise<Response>;
  /** Releases what the route holds; called when the server closes. */
  close?(): Promise<void>;
  /** What the server's OpenAPI document says of the route: its path items, and their tags. */
  readonly openapi?: TaskpulseRouteOpenApi;
}

/** Makes a route on the runtime a server runs on; given in the `routes` HTTP option. */
export type TaskpulseRouteFactory = (runtime: TaskpulseRuntime) => TaskpulseRoute;

/** The routes a server serves, by path. */
export interface MountedRoutes {
  /** The route that answers `pathname`, if any. */
  find(pathname: string): TaskpulseRoute | undefined;
  /** Every path the routes answer, for the 404 message. */
  readonly paths: readonly string[];
  close(): Promise<void>;
}

/**
 * Makes the routes of `http.routes` on `runtime`, and the built-in ones (the OpenAPI document
 * of `router` and the reference page, unless `http.openapi` is false). A path that another
 * route, tRPC, health or metrics already answers is a configuration error; the runtime is then
 * closed when the server made it (`ownsRuntime`), since no server will.
 */
export function mountRoutes(
  runtime: TaskpulseRuntime,
  router: AnyTRPCRouter,
  http: ResolvedHttpOptions,
  ownsRuntime: boolean,
): MountedRoutes {
  try {
    return mount(runtime, router, http);
  } catch (error) {
    if (ownsRuntime) void runtime.close();
    throw error;
  }
}

function mount(
  runtime: TaskpulseRuntime,
  router: AnyTRPCRouter,
  http: ResolvedHttpOptions,
): MountedRoutes {
  const routes = [createExportRoute(runtime), ...http.routes.map((factory) => factory(runtime))];
  if (http.openapi !== false) {
    routes.push(
      createOpenApiRoute({
        runtime,
        router,
        basePath: http.basePath,
        metricsPath: http.metricsPath,
        maxBatchSize: http.maxBatchSize,
        openapi: http.openapi,
        routes: routes.flatMap((route) => (route.openapi ? [route.openapi] : [])),
      }),
    );
  }
  const taken = new Set(['/health/live', '/health/ready']);
  if (http.metricsPath !== false) taken.add(http.metricsPath);
  const byPath = new Map<string, TaskpulseRoute>();
  for (const route of routes) {
    for (const path of route.paths.map((value) => checkPath('routes', value))) {
      if (byPath.has(path) || taken.has(path) || isTrpcPath(path, http.basePath)) {
        throw new TaskpulseError(
          'VALIDATION',
          `Invalid HTTP option routes: ${path} is answered twice; give each path to one route only.`,
          { issues: [{ path: ['routes'], message: `${path} is answered twice` }] },
        );
      }
      byPath.set(path, route);
    }
  }
  return {
    find: (pathname) => byPath.get(pathname),
    paths: [...byPath.keys()],
    close: async () => {
      await Promise.all(routes.map((route) => route.close?.()));
    },
  };
}

/** What serving one request to a route needs of the server that received it. */
export interface RouteRequestInit {
  readonly requestId: string;
  readonly ip: string | undefined;
  readonly logger: TaskpulseLogger;
  readonly loopback: boolean | undefined;
}

/** The context of one request to a route, and the record its log line is written from. */
function openRouteContext(
  runtime: TaskpulseRuntime,
  request: Request,
  init: RouteRequestInit,
): { context: TaskpulseRouteContext; record: RequestRecord } {
  const record = createRequestRecord();
  const requestContext = openRequestContext(
    runtime,
    { headers: request.headers, ip: init.ip, requestId: init.requestId },
    record,
  );
  const { limiter } = requestInternals(requestContext);
  return {
    record,
    context: {
      request: requestContext,
      rateLimit: (scope, key) => limiter.consume(scope, key),
      recordCall: (call) => {
        record.calls.push(call);
      },
      loopback: init.loopback,
    },
  };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

/** Whether `address` (as `server.address()` gives it) is a loopback address. */
export function isLoopbackAddress(address: string): boolean {
  return LOOPBACK_HOSTS.has(address) || address.startsWith('127.');
}

const jsonError = (status: number, message: string, code?: string) =>
  new Response(JSON.stringify({ error: { message, ...(code && { code }) } }), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });

/**
 * The answer to what the runtime threw at a route that let it through: `authenticate()`'s
 * `UNAUTHORIZED` (401) or `SERVICE_UNAVAILABLE` (503), `rateLimit()`'s `TOO_MANY_REQUESTS`
 * (429 with `Retry-After`); undefined for anything else.
 */
function refusal(error: unknown): Response | undefined {
  if (!(error instanceof TRPCError) || error.code === 'INTERNAL_SERVER_ERROR') return undefined;
  const response = jsonError(getHTTPStatusCodeFromError(error), error.message, error.code);
  const seconds = retryAfterSeconds([error]);
  if (seconds !== undefined) response.headers.set('retry-after', String(seconds));
  if (error.code === 'UNAUTHORIZED') response.headers.set('www-authenticate', 'Bearer');
  return response;
}

/**
 * Answers one request with `route`, the same way on both servers: a body over `maxBodySize`
 * is refused (413 when declared, an error while the route reads it otherwise), the request is
 * logged in one line with the operations the route recorded, and a route that throws answers
 * 500 without telling why (the error is logged).
 */
export async function answerRoute(
  route: TaskpulseRoute,
  request: Request,
  runtime: TaskpulseRuntime,
  init: RouteRequestInit & { readonly maxBodySize: number; readonly started: number },
): Promise<Response> {
  const { context, record } = openRouteContext(runtime, request, init);
  let response: Response;
  if (declaresTooLarge(request.headers, init.maxBodySize)) {
    response = jsonError(413, `The request body is larger than ${init.maxBodySize} bytes.`);
  } else {
    try {
      response = await route.handle(limitBody(request, init.maxBodySize), context);
    } catch (error) {
      response = refusal(error) ?? jsonError(500, 'Something went wrong on our side.');
      if (response.status >= 500 && !(error instanceof TRPCError)) {
        init.logger.error({ err: error, path: new URL(request.url).pathname }, 'request failed');
      }
    }
  }
  logRequest(init.logger, {
    method: request.method,
    status: response.status,
    durationMs: performance.now() - init.started,
    record,
  });
  return withHeaders(response, {
    ...RESPONSE_HEADERS,
    'x-request-id': init.requestId,
    // the rest of a refused body is not read: the connection cannot carry another request
    ...(response.status === 413 && { connection: 'close' }),
  });
}
