import { TRPCError } from '@trpc/server';
import type { AuthRequest } from './options.ts';

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]+)[ \t]*$/i;

/**
 * The bearer token of an `Authorization` header; undefined when there is no header. A header
 * that is not a bearer token is `UNAUTHORIZED` (its content is never echoed).
 */
export function readBearerToken(headers: Headers): string | undefined {
  const header = headers.get('authorization');
  if (header === null || header.trim() === '') return undefined;
  const match = BEARER.exec(header);
  if (!match?.[1]) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: 'The Authorization header must be "Bearer <token>".',
    });
  }
  return match[1];
}

/**
 * The token a subscription sent as tRPC connection params (`{ token }`), since a browser's
 * EventSource cannot send headers. Only subscriptions may authenticate this way: the params
 * travel in the URL, and other calls can send a header.
 */
export function readConnectionParamsToken(
  request: Pick<AuthRequest, 'connectionParams' | 'type'>,
): string | undefined {
  if (request.type !== 'subscription') return undefined;
  const token = request.connectionParams?.token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/** The request's token: the `Authorization` header's, else a subscription's connection param. */
export function readToken(request: AuthRequest): string | undefined {
  return readBearerToken(request.headers) ?? readConnectionParamsToken(request);
}
