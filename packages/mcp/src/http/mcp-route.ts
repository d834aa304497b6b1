import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type {
  TaskpulseRoute,
  TaskpulseRouteContext,
  TaskpulseRouteFactory,
  TaskpulseRuntime,
} from '@taskpulse/trpc-server';
import { createTaskpulseMcpServer } from '../server/create-server.ts';
import { observeOperations } from '../server/observe.ts';
import { TASKPULSE_TOOLS } from '../tools/index.ts';
import { hostChecks, refusedHost } from './dns-rebinding.ts';
import { answerPost, rpcError } from './exchange.ts';
import { mcpOpenApi } from './openapi.ts';
import { bearerChallenge, METADATA_PREFIX, metadataResponse } from './protected-resource.ts';

/** Options of {@link taskpulseMcp}. */
export interface TaskpulseMcpOptions {
  /** Where the Streamable HTTP endpoint is served. @default '/mcp' */
  path?: string;
  /**
   * The endpoint's public URL, as clients reach it (the RFC 9728 `resource`), e.g.
   * `https://api.example.com/mcp` behind a proxy. @default the URL each request was made to
   */
  resourceUrl?: string;
  /**
   * The OAuth authorization servers (issuers) whose tokens the endpoint accepts, named in the
   * protected-resource metadata so that agents can find where to sign in. @default none
   */
  authorizationServers?: string[];
  /** The scopes tokens may carry, for the metadata's `scopes_supported`. @default none listed */
  scopes?: string[];
  /** A page documenting the endpoint, for the metadata's `resource_documentation`. */
  documentation?: string;
  /**
   * Host names (without port) the endpoint answers for; a request naming another in its `Host`
   * header is refused with 403 (DNS rebinding protection). @default `localhost`, `127.0.0.1`
   * and `[::1]` when the Node server listens on a loopback address, else any
   */
  allowedHosts?: string[];
  /**
   * Origins whose pages may call the endpoint (`https://app.example.com`); a request with
   * another `Origin` header is refused with 403. @default pages served from an allowed host
   * when hosts are checked, else any (browsers enforce CORS for the others)
   */
  allowedOrigins?: string[];
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });

const PROTOCOL_VERSION = /^\d{4}-\d{2}-\d{2}$/;
const TOOL_NAMES: ReadonlySet<string> = new Set(TASKPULSE_TOOLS.map((tool) => tool.name));

/** The code and message of what the API's authentication or rate limit threw. */
function failure(error: unknown): { code: string; message: string; retryAfterMs?: number } {
  const { code, message, cause } = error as {
    code?: unknown;
    message?: unknown;
    cause?: { retryAfterMs?: unknown };
  };
  return {
    code: typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR',
    message: typeof message === 'string' ? message : 'Authentication failed.',
    ...(typeof cause?.retryAfterMs === 'number' && { retryAfterMs: cause.retryAfterMs }),
  };
}

/** The HTTP answer to a request that authentication or a rate limit refused. */
function refusal(error: unknown, resource: URL, request: Request): Response {
  const { code, message, retryAfterMs } = failure(error);
  if (code === 'UNAUTHORIZED') {
    const tokenSent = request.headers.has('authorization');
    return json(
      401,
      { error: tokenSent ? 'invalid_token' : 'invalid_request', error_description: message },
      { 'www-authenticate': bearerChallenge(resource, tokenSent, message) },
    );
  }
  if (code === 'TOO_MANY_REQUESTS') {
    const seconds = Math.max(1, Math.ceil((retryAfterMs ?? 1000) / 1000));
    return rpcError(429, -32000, message, { 'retry-after': String(seconds) });
  }
  if (code === 'SERVICE_UNAVAILABLE') return rpcError(503, -32000, message);
  throw error;
}

/** The JSON-RPC message of the body, or the response that refuses it. */
async function readMessage(request: Request): Promise<{ message: unknown } | Response> {
  let text: string;
  try {
    text = await request.text();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'PAYLOAD_TOO_LARGE') {
      return rpcError(413, ErrorCode.InvalidRequest, (error as Error).message);
    }
    throw error;
  }
  try {
    return { message: JSON.parse(text) };
  } catch {
    return rpcError(400, ErrorCode.ParseError, 'Parse error: Invalid JSON');
  }
}

/**
 * The MCP endpoint (Streamable HTTP, stateless: a server per request, JSON answers) and its
 * RFC 9728 protected-resource metadata, as a route of `createTaskpulseServer` or the fetch
 * handler. It runs on the API's runtime: the same token verification and user provisioning,
 * the same rate limits (each request counts once per IP and once per user), one log line per
 * request, and `mcp_server_operation_duration_seconds` in the same metrics registry.
 *
 * @example
 * ```ts
 * import { createTaskpulseServer } from '@taskpulse/trpc-server';
 * import { taskpulseMcp } from '@taskpulse/mcp';
 *
 * const server = createTaskpulseServer({ taskpulse: tp, auth, routes: [taskpulseMcp()] });
 * await server.listen(3000); // http://localhost:3000/mcp
 * ```
 */
export function taskpulseMcp(options: TaskpulseMcpOptions = {}): TaskpulseRouteFactory {
  // the server checks the path (a route's paths are HTTP options)
  const path = (options.path ?? '/mcp').replace(/(.)\/+$/, '$1');
  const configuredResource = options.resourceUrl ? new URL(options.resourceUrl) : undefined;
  const metadata = {
    authorizationServers: options.authorizationServers ?? [],
    scopes: options.scopes,
    documentation: options.documentation,
  };
  const metadataPaths = [`${METADATA_PREFIX}${path}`, METADATA_PREFIX];

  return (runtime: TaskpulseRuntime): TaskpulseRoute => {
    const { taskpulse, metrics } = runtime;

    const serve = async (
      request: Request,
      context: TaskpulseRouteContext,
      resource: URL,
    ): Promise<Response> => {
      const refused = refusedHost(request, hostChecks(context.loopback, options));
      if (refused) {
        context.recordCall({ procedure: 'mcp', outcome: 'FORBIDDEN', durationMs: 0 });
        return rpcError(403, -32000, `Forbidden: ${refused} (DNS rebinding protection).`);
      }
      if (request.method !== 'POST') {
        // stateless: no session, so no stream for the server to push on, and nothing to delete
        return rpcError(405, -32000, 'Method not allowed: send JSON-RPC messages with POST.', {
          allow: 'POST',
        });
      }
      const { ip } = context.request;
      let session: Awaited<ReturnType<typeof context.request.authenticate>>;
      try {
        if (ip !== undefined) await context.rateLimit('ip', ip);
        session = await context.request.authenticate();
        await context.rateLimit('user', session.caller.id);
      } catch (error) {
        const answer = refusal(error, resource, request);
        context.recordCall({ procedure: 'mcp', outcome: failure(error).code, durationMs: 0 });
        return answer;
      }
      const read = await readMessage(request);
      if (read instanceof Response) return read;

      const header = request.headers.get('mcp-protocol-version');
      // a server per request (stateless: any instance answers any request); it is not closed
      // afterwards, since an answered exchange holds nothing to release
      return answerPost(request, read.message, async (transport) => {
        const server = createTaskpulseMcpServer({
          taskpulse,
          context: session.taskpulse,
          onInternalError: (error, tool) =>
            context.request.logger.error({ err: error, tool }, 'mcp tool failed'),
        });
        await server.connect(transport);
        observeOperations(
          transport,
          (operation) => {
            metrics.observeMcpOperation({ ...operation, transport: 'tcp' });
            context.recordCall({
              procedure: `mcp ${operation.method}${operation.toolName ? ` ${operation.toolName}` : ''}`,
              outcome: operation.errorType ?? 'ok',
              durationMs: Math.round(operation.durationMs),
            });
          },
          {
            tools: TOOL_NAMES,
            protocolVersion: header && PROTOCOL_VERSION.test(header) ? header : undefined,
          },
        );
      });
    };

    return {
      paths: [path, ...metadataPaths],
      openapi: mcpOpenApi(path, metadataPaths),
      handle: async (request, context) => {
        const url = new URL(request.url);
        const resource = configuredResource ?? new URL(path, url.origin);
        if (url.pathname !== path) {
          if (request.method !== 'GET' && request.method !== 'HEAD') {
            return json(
              405,
              { error: { message: `Use GET for ${url.pathname}.` } },
              { allow: 'GET, HEAD' },
            );
          }
          return metadataResponse(resource, metadata);
        }
        return serve(request, context, resource);
      },
    };
  };
}
