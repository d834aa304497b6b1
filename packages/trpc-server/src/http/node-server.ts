import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { AnyTRPCRouter } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import {
  createRequestRecord,
  type RequestRecord,
  requestIdFrom,
  type TaskpulseLogger,
} from '../logging/index.ts';
import { openRequestContext, type TaskpulseRuntime } from '../runtime/index.ts';
import { clientIp } from './client-ip.ts';
import { corsAnswer, mergeVary, withCorsHeaders } from './cors.ts';
import { isTrpcPath, resolveHttpOptions, type TaskpulseServerOptions } from './options.ts';
import { plainRoute, RESPONSE_HEADERS } from './plain-routes.ts';
import { answerRoute, isLoopbackAddress, mountRoutes } from './routes.ts';
import {
  logRequest,
  recordUnobservedError,
  retryAfterMeta,
  runtimeAndRouter,
} from './trpc-handler-options.ts';

/** A Node HTTP server for the taskpulse API, not listening yet. */
export interface TaskpulseServer {
  /** The Node server (not listening until {@link listen}). */
  readonly server: Server;
  /** The request listener, to mount in a server of the app's own instead. */
  readonly handler: RequestListener;
  /**
   * Whether {@link handler} answers `pathname` (tRPC, health, metrics, the OpenAPI document and
   * page, every route): what a server of the app's own sends to it.
   */
  serves(pathname: string): boolean;
  /** The runtime the API runs on. */
  readonly runtime: TaskpulseRuntime;
  /** The router served at the base path. */
  readonly router: AnyTRPCRouter;
  /** Starts listening; port 0 picks a free one. Resolves with the port and the base URL. */
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /**
   * Stops listening, ends open connections (subscriptions included) and closes the runtime
   * when the server made it. The taskpulse instance stays open: its owner closes it.
   */
  close(): Promise<void>;
}

interface RequestState {
  readonly requestId: string;
  readonly ip: string | undefined;
  readonly record: RequestRecord;
  readonly logger: TaskpulseLogger;
  readonly started: number;
}

/**
 * A Node HTTP server for the taskpulse API: tRPC's standalone handler at `/trpc` (plain JSON,
 * so curl works), `GET /health/live`, `GET /health/ready` (503 while the database is down),
 * `GET /metrics` (Prometheus text) and 404 for anything else. Every response carries
 * `x-request-id`; every request is logged in one line.
 *
 * @example
 * ```ts
 * const tp = await createTaskpulse({ database: { url: process.env.DATABASE_URL! }, migrate: true });
 * const server = createTaskpulseServer({ taskpulse: tp, auth: { secret: process.env.TASKPULSE_JWT_SECRET! } });
 * const { url } = await server.listen(3000);
 * // curl -H "authorization: Bearer $TOKEN" $url/trpc/me
 * ```
 */
export function createTaskpulseServer(options: TaskpulseServerOptions): TaskpulseServer {
  const http = resolveHttpOptions(options);
  const { runtime, router, ownsRuntime } = runtimeAndRouter(options);
  const states = new WeakMap<IncomingMessage, RequestState>();
  const routes = mountRoutes(runtime, router, http, ownsRuntime);
  const routeRequests = new WeakMap<
    IncomingMessage,
    Omit<RequestState, 'record'> & { cors: Record<string, string> }
  >();
  // known once this server listens: whether it listens on a loopback address only
  let loopback: boolean | undefined;

  const trpcHandler = createHTTPHandler({
    router,
    basePath: `${http.basePath}/`,
    maxBodySize: http.maxBodySize,
    maxBatchSize: http.maxBatchSize,
    createContext: ({ req, info }) => {
      const state = states.get(req);
      return openRequestContext(
        runtime,
        { headers: req.headers, ip: state?.ip, requestId: state?.requestId, info },
        state?.record,
      );
    },
    onError: ({ error, path, req }) => {
      const state = states.get(req);
      recordUnobservedError(
        runtime,
        router,
        state?.record,
        state?.logger ?? runtime.logger,
        error,
        path,
        state ? performance.now() - state.started : 0,
      );
    },
    responseMeta: retryAfterMeta,
  });

  // routes speak Fetch: @hono/node-server turns the Node request into a Request and writes the
  // Response back (streamed), without replacing the global Request and Response
  const routeListener = getRequestListener(
    (request, { incoming }) => {
      const state = routeRequests.get(incoming as IncomingMessage);
      const route = state && routes.find(new URL(request.url).pathname);
      if (!state || !route) return new Response(null, { status: 404 });
      // the Response's own headers win over those set on `res`: CORS goes on it too
      return answerRoute(route, request, runtime, {
        requestId: state.requestId,
        ip: state.ip,
        logger: state.logger,
        loopback,
        maxBodySize: http.maxBodySize,
        started: state.started,
      }).then((response) => withCorsHeaders(response, state.cors));
    },
    { overrideGlobalObjects: false },
  );

  const handler: RequestListener = (req, res) => {
    const started = performance.now();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const logger = runtime.logger.child({ requestId });
    res.setHeader('x-request-id', requestId);
    for (const [name, value] of Object.entries(RESPONSE_HEADERS)) res.setHeader(name, value);
    const method = req.method ?? 'GET';
    const cors = corsAnswer(
      http.cors,
      method,
      req.headers.origin,
      req.headers['access-control-request-method'],
    );
    if (http.cors) {
      // whoever sets Vary later (tRPC sets `trpc-accept, accept`) adds to Origin, not over it
      const setHeader = res.setHeader.bind(res);
      res.setHeader = (name, value) =>
        setHeader(
          name,
          name.toLowerCase() === 'vary' ? mergeVary(res.getHeader('vary'), String(value)) : value,
        );
      for (const [name, value] of Object.entries(cors.headers)) res.setHeader(name, value);
    }
    if (cors.preflight) {
      res.writeHead(204).end();
      logger.debug({ method, path: req.url, status: 204 }, 'request');
      return;
    }
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      pathname = '/';
    }

    // Node joins repeated X-Forwarded-For headers with ", ", in order (its type allows a list)
    const forwarded = req.headers['x-forwarded-for'];
    const ip = () =>
      clientIp(
        Array.isArray(forwarded) ? forwarded.join(', ') : forwarded,
        req.socket.remoteAddress,
        http.trustProxy,
      );

    const route = routes.find(pathname);
    if (route) {
      routeRequests.set(req, { requestId, ip: ip(), logger, started, cors: cors.headers });
      routeListener(req, res).catch((error: unknown) => {
        logger.error({ err: error, path: pathname }, 'request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end();
      });
      return;
    }

    if (isTrpcPath(pathname, http.basePath)) {
      const state: RequestState = {
        requestId,
        ip: ip(),
        record: createRequestRecord(),
        logger,
        started,
      };
      states.set(req, state);
      res.once('close', () => {
        logRequest(logger, {
          method,
          status: res.statusCode,
          durationMs: performance.now() - started,
          record: state.record,
        });
      });
      trpcHandler(req, res);
      return;
    }

    plainRoute(method, pathname, runtime, http, routes.paths)
      .then((answer) => {
        res.writeHead(answer.status, answer.headers);
        res.end(method === 'HEAD' ? undefined : answer.body);
        logger.debug(
          {
            method,
            path: pathname,
            status: answer.status,
            durationMs: Math.round(performance.now() - started),
          },
          'request',
        );
      })
      .catch((error: unknown) => {
        logger.error({ err: error, path: pathname }, 'request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'Something went wrong on our side.' } }));
      });
  };

  const server = createServer(handler);
  return {
    server,
    handler,
    serves: (pathname) =>
      isTrpcPath(pathname, http.basePath) ||
      pathname === '/health/live' ||
      pathname === '/health/ready' ||
      pathname === http.metricsPath ||
      routes.find(pathname) !== undefined,
    runtime,
    router,
    listen: (port = 0, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          loopback = isLoopbackAddress(address.address);
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve({ port: address.port, url: `http://${shown}:${address.port}` });
        });
      }),
    close: async () => {
      if (server.listening) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      }
      await routes.close();
      if (ownsRuntime) await runtime.close();
    },
  };
}
