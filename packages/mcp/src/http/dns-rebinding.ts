/** The names a local server is reached by from the same machine. */
export const LOCAL_HOSTNAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** Which Host and Origin headers an endpoint accepts; `undefined` accepts any. */
export interface HostChecks {
  /** Host names (without port), compared without case. */
  readonly hosts: readonly string[] | undefined;
  /** Whether a request may come from a page of this origin (`http://localhost:3000`). */
  readonly origin: ((origin: string) => boolean) | undefined;
}

const hostnameOf = (value: string): string | undefined => {
  try {
    return new URL(value.includes('://') ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
};

/**
 * The checks that protect an endpoint against DNS rebinding: the configured hosts, or, for a
 * server that listens on a loopback address, its local names (any port); and the configured
 * origins, or pages served from those hosts. A web page on another site that had its name
 * re-pointed at 127.0.0.1 then cannot reach it: its requests carry that site's name in Host and
 * Origin.
 */
export function hostChecks(
  loopback: boolean | undefined,
  configured: { allowedHosts?: readonly string[]; allowedOrigins?: readonly string[] },
): HostChecks {
  const hosts =
    configured.allowedHosts?.map((host) => host.toLowerCase()) ??
    (loopback === true ? LOCAL_HOSTNAMES : undefined);
  const { allowedOrigins } = configured;
  return {
    hosts,
    // the origins given, else pages served from an allowed host (any scheme and port)
    origin: allowedOrigins
      ? (origin) => allowedOrigins.includes(origin)
      : hosts
        ? (origin) => hosts.includes(hostnameOf(origin) ?? '')
        : undefined,
  };
}

/** Why the request's Host or Origin is refused, or undefined when both are acceptable. */
export function refusedHost(request: Request, checks: HostChecks): string | undefined {
  if (checks.hosts) {
    const host = hostnameOf(request.headers.get('host') ?? new URL(request.url).host);
    if (host === undefined || !checks.hosts.includes(host)) {
      return 'the Host header names a host this server does not answer for';
    }
  }
  const origin = request.headers.get('origin');
  if (checks.origin && origin !== null && !checks.origin(origin)) {
    return 'the Origin header names a site that may not call this server';
  }
  return undefined;
}
