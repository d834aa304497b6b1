import type { IncomingMessage } from 'node:http';
import { TaskpulseError } from '@taskpulse/core';
import proxyAddr from 'proxy-addr';

/**
 * Which proxies in front of the server are trusted to say who the client is, as Express's
 * `trust proxy` (through `proxy-addr`): the client's IP is the right-most `X-Forwarded-For`
 * entry that no trusted proxy wrote.
 *
 * - `false`: no proxy; the socket's address.
 * - a number `n`: the `n` nearest hops are proxies (the socket's peer counts as the first), so
 *   `1` is the address the one proxy in front saw.
 * - `true`: `1`. Unlike Express's `true` (trust every hop, the left-most entry, which a client
 *   chooses behind a proxy that appends), so that a client cannot pick its own rate-limit bucket.
 * - addresses and CIDRs, as a list or a comma-separated string, with the names `loopback`,
 *   `linklocal` and `uniquelocal`: hops from those addresses are proxies.
 * - a function `(address, hop) => boolean` saying whether a hop is a trusted proxy.
 *
 * @example
 * ```ts
 * createTaskpulseServer({ taskpulse: tp, auth, trustProxy: ['loopback', '10.0.0.0/8'] });
 * ```
 */
export type TrustProxy =
  | boolean
  | number
  | string
  | readonly string[]
  | ((address: string, hop: number) => boolean);

/** A compiled {@link TrustProxy}: whether the hop `hop` (0: the socket's peer) is a trusted proxy. */
export type TrustProxyFunction = (address: string | undefined, hop: number) => boolean;

function invalid(message: string): TaskpulseError {
  return new TaskpulseError('VALIDATION', `Invalid HTTP option trustProxy: ${message}.`, {
    issues: [{ path: ['trustProxy'], message }],
  });
}

/**
 * Checks and compiles a {@link TrustProxy} option; `false` when no proxy is trusted.
 * Throws a `VALIDATION` error naming the bad value.
 */
export function compileTrustProxy(value: TrustProxy | undefined): TrustProxyFunction | false {
  if (value === undefined || value === false || value === 0) return false;
  if (value === true) return compileTrustProxy(1);
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) {
      throw invalid(`a number of hops must be an integer >= 0, got ${value}`);
    }
    return (_address, hop) => hop < value;
  }
  if (typeof value === 'function') {
    return (address, hop) => address !== undefined && value(address, hop);
  }
  const list = (typeof value === 'string' ? value.split(',') : [...value]).map((entry) =>
    typeof entry === 'string' ? entry.trim() : entry,
  );
  if (list.length === 0 || list.some((entry) => typeof entry !== 'string' || entry === '')) {
    throw invalid('give addresses or CIDRs such as "loopback" or "10.0.0.0/8"');
  }
  try {
    const trust = proxyAddr.compile(list);
    return (address, hop) => address !== undefined && trust(address, hop);
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : String(error));
  }
}

/**
 * The client's IP: the right-most `X-Forwarded-For` entry not written by a trusted proxy
 * (see {@link TrustProxy}), or the socket's address when its peer is not a trusted proxy.
 *
 * Without a socket address (a Fetch request), the peer is taken to be a trusted proxy when
 * `trustProxy` trusts any.
 */
export function clientIp(
  forwardedFor: string | null | undefined,
  remoteAddress: string | undefined,
  trustProxy: boolean | TrustProxyFunction,
): string | undefined {
  const trust = typeof trustProxy === 'function' ? trustProxy : compileTrustProxy(trustProxy);
  if (!trust || !forwardedFor) return remoteAddress;
  // proxy-addr reads only these two fields of a request
  const request = {
    headers: { 'x-forwarded-for': forwardedFor },
    socket: { remoteAddress },
  } as unknown as IncomingMessage;
  const withPeer: TrustProxyFunction =
    remoteAddress === undefined ? (address, hop) => hop === 0 || trust(address, hop) : trust;
  return proxyAddr(request, withPeer as (address: string, hop: number) => boolean);
}
