import type { IncomingHttpHeaders } from 'node:http';
import type { Caller, TaskpulseContext, TaskpulseEntityManager, UserDto } from '@taskpulse/core';
import type { TRPCRequestInfo } from '@trpc/server/http';
import type { TaskpulseLogger } from '../logging/index.ts';

/** Who a request is authenticated as, once {@link TaskpulseRequestContext.authenticate} ran. */
export interface AuthenticatedCaller {
  /** The calling user, as core's domain functions take it. */
  readonly caller: Caller;
  /** The user row, provisioned from the token's claims. */
  readonly user: UserDto;
  /** The core context of the request: pass it to core's domain functions. */
  readonly taskpulse: TaskpulseContext;
}

/**
 * What taskpulse knows of one HTTP request; made once per request (a batch of calls shares it)
 * by `runtime.createContext()`. It is the root context of the standalone router; a host app
 * keeps one in its own context.
 */
export interface TaskpulseRequestContext {
  /** The request's id: the caller's `x-request-id` when sane, else generated. */
  readonly requestId: string;
  /** The client's IP address, when known. */
  readonly ip: string | undefined;
  /** A logger that stamps every line with the request id. */
  readonly logger: TaskpulseLogger;
  /**
   * The entity manager of this request, forked when first used; every call of the request
   * uses the same one.
   */
  readonly em: TaskpulseEntityManager;
  /**
   * Verifies the request's credentials and provisions the user, once per request however
   * many calls it batches. Throws `UNAUTHORIZED` (or `SERVICE_UNAVAILABLE`) as a `TRPCError`.
   */
  authenticate(): Promise<AuthenticatedCaller>;
}

/** What `runtime.createContext()` takes: the parts of an HTTP request taskpulse needs. */
export interface TaskpulseRequestInit {
  /** The request's headers, as a Fetch `Headers` or Node's `req.headers`. */
  headers: Headers | IncomingHttpHeaders;
  /** The client's IP address; without one, the per-IP rate limit does not apply. */
  ip?: string | undefined;
  /** The request id. @default the sane `x-request-id` header, else a new UUID */
  requestId?: string | undefined;
  /**
   * tRPC's request info (`opts.info` in `createContext`): subscriptions' connection params, and
   * the calls of a batch, whose `Idempotency-Key` header holds one key per call.
   */
  info?:
    | (Pick<TRPCRequestInfo, 'connectionParams' | 'type'> &
        Partial<Pick<TRPCRequestInfo, 'isBatchCall' | 'calls'>>)
    | undefined;
}

/** Node's header object as a Fetch `Headers`. */
export function toHeaders(headers: Headers | IncomingHttpHeaders): Headers {
  if (headers instanceof Headers) return headers;
  const result = new Headers();
  for (const [key, value] of Object.entries(headers)) {
    if (key.startsWith(':') || value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) result.append(key, item);
  }
  return result;
}
