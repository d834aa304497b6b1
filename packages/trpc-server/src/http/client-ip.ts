/**
 * The client's IP: the first `X-Forwarded-For` entry when the proxy is trusted and sent one,
 * else the socket's address.
 */
export function clientIp(
  forwardedFor: string | null | undefined,
  remoteAddress: string | undefined,
  trustProxy: boolean,
): string | undefined {
  if (trustProxy && forwardedFor) {
    const first = forwardedFor.split(',')[0]?.trim();
    if (first) return first;
  }
  return remoteAddress;
}
