import type { AnyTRPCRouter } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createRequestRecord, requestIdFrom } from '../logging/index.ts';
import { openRequestContext, type TaskpulseRuntime } from '../runtime/index.ts';
import { declaresTooLarge, limitBody, tooLarge } from './body-limit.ts';
import { clientIp } from './client-ip.ts';
import { corsAnswer, withCorsHeaders } from './cors.ts';
import { isTrpcPath, resolveHttpOptions, type TaskpulseServerOptions } from './options.ts';
import { plainRoute, RESPONSE_HEADERS, withHeaders } from './plain-routes.ts';
import { answerRoute, mountRoutes } from './routes.ts';
import {
  errorBody,
  logRequest,
  recordUnobservedError,
  retryAfterMeta,
  runtimeAndRouter,
} from './trpc-handler-options.ts';

/** Options of {@link createTaskpulseFetchHandler}. */
export type TaskpulseFetchHandlerOptions = TaskpulseServerOptions & {
  /**
   * The client's IP for a request (Fetch requests do not carry one), e.g. from the host's
   * connection info. @default by `trustProxy` from `X-Forwarded-For`, the handler's peer being
   * taken for a trusted proxy (a Fetch request has no socket address); else unknown
   */
  getClientIp?: (request: Request) => string | undefined;
};

/** A Fetch API handler for the taskpulse API: call it with a `Request`, get a `Response`. */
export interface TaskpulseFetchHandler {
  (request: Request): Promise<Response>;
  /** The runtime the API runs on. */
  readonly runtime: TaskpulseRuntime;
  /** The router served at the base path. */
  readonly router: AnyTRPCRouter;
  /** Closes the routes, and the runtime when the handler made it (not the taskpulse instance). */
  close(): Promise<void>;
}

/**
 * The taskpulse API as a Fetch API handler, for Hono, Next.js route handlers, Bun, Deno and
 * other hosts: tRPC's fetch adapter at `/trpc`, plus `/health/live`, `/health/ready` and
 * `/metrics`, with the same limits, request ids and logs as the Node server.
 *
 * @example
 * ```ts
 * const handler = createTaskpulseFetchHandler({ taskpulse: tp, auth: { secret } });
 * // Hono:     app.all('*', (c) => handler(c.req.raw));
 * // Next.js:  export { handler as GET, handler as POST };  (app/trpc/[...path]/route.ts)
 * ```
 */
export function createTaskpulseFetchHandler(
  options: TaskpulseFetchHandlerOptions,
): TaskpulseFetchHandler {
  const http = resolveHttpOptions(options);
  const { runtime, router, ownsRuntime } = runtimeAndRouter(options);
  const routes = mountRoutes(runtime, router, http, ownsRuntime);
  const getClientIp =
    options.getClientIp ??
    ((request: Request) =>
      clientIp(request.headers.get('x-forwarded-for'), undefined, http.trustProxy));

  // CORS on every answer: one place, before and after the routes
  const handle = async (request: Request): Promise<Response> => {
    const cors = corsAnswer(
      http.cors,
      request.method,
      request.headers.get('origin'),
      request.headers.get('access-control-request-method'),
    );
    if (cors.preflight) {
      return new Response(null, {
        status: 204,
        headers: { ...cors.headers, ...RESPONSE_HEADERS },
      });
    }
    const response = await answer(request);
    return withCorsHeaders(response, cors.headers);
  };

  const answer = async (request: Request): Promise<Response> => {
    const started = performance.now();
    const requestId = requestIdFrom(request.headers.get('x-request-id'));
    const logger = runtime.logger.child({ requestId });
    const { pathname } = new URL(request.url);

    const route = routes.find(pathname);
    if (route) {
      return answerRoute(route, request, runtime, {
        requestId,
        ip: getClientIp(request),
        logger,
        loopback: undefined,
        maxBodySize: http.maxBodySize,
        started,
      });
    }

    if (!isTrpcPath(pathname, http.basePath)) {
      const answer = await plainRoute(request.method, pathname, runtime, http, routes.paths);
      logger.debug(
        {
          method: request.method,
          path: pathname,
          status: answer.status,
          durationMs: Math.round(performance.now() - started),
        },
        'request',
      );
      return new Response(request.method === 'HEAD' ? null : answer.body, {
        status: answer.status,
        headers: { ...answer.headers, ...RESPONSE_HEADERS, 'x-request-id': requestId },
      });
    }

    const record = createRequestRecord();
    const ip = getClientIp(request);
    let response: Response;
    if (declaresTooLarge(request.headers, http.maxBodySize)) {
      const error = tooLarge(http.maxBodySize);
      recordUnobservedError(runtime, router, record, logger, error, undefined, 0);
      response = new Response(errorBody(router, error), {
        status: 413,
        headers: { 'content-type': 'application/json' },
      });
    } else {
      response = await fetchRequestHandler({
        router,
        req: limitBody(request, http.maxBodySize),
        endpoint: http.basePath,
        maxBatchSize: http.maxBatchSize,
        createContext: ({ req, info }) =>
          openRequestContext(runtime, { headers: req.headers, ip, requestId, info }, record),
        onError: ({ error, path }) =>
          recordUnobservedError(
            runtime,
            router,
            record,
            logger,
            error,
            path,
            performance.now() - started,
          ),
        responseMeta: retryAfterMeta,
      });
    }
    logRequest(logger, {
      method: request.method,
      status: response.status,
      durationMs: performance.now() - started,
      record,
    });
    return withHeaders(response, { ...RESPONSE_HEADERS, 'x-request-id': requestId });
  };

  return Object.assign(handle, {
    runtime,
    router,
    close: async () => {
      await routes.close();
      if (ownsRuntime) await runtime.close();
    },
  });
}
