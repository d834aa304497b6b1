export {
  clientIp,
  compileTrustProxy,
  type TrustProxy,
  type TrustProxyFunction,
} from './client-ip.ts';
export {
  CORS_ALLOW_HEADERS,
  CORS_EXPOSE_HEADERS,
  corsAnswer,
  resolveCors,
  type TaskpulseCorsOptions,
} from './cors.ts';
export {
  createTaskpulseFetchHandler,
  type TaskpulseFetchHandler,
  type TaskpulseFetchHandlerOptions,
} from './fetch-handler.ts';
export { createTaskpulseServer, type TaskpulseServer } from './node-server.ts';
export {
  type ExistingRuntimeOptions,
  isTrpcPath,
  type ResolvedHttpOptions,
  resolveHttpOptions,
  type TaskpulseHttpOptions,
  type TaskpulseServerOptions,
} from './options.ts';
export { type PlainResponse, plainRoute } from './plain-routes.ts';
export type { TaskpulseRoute, TaskpulseRouteContext, TaskpulseRouteFactory } from './routes.ts';
