/** Which budget a call ran out of: its client IP's (before authentication) or its user's. */
export type RateLimitScope = 'ip' | 'user';

/**
 * The cause of a `TOO_MANY_REQUESTS` error: which budget ran out and when the next call is
 * allowed. The error formatter copies `retryAfterMs` into `data.retryAfterMs`, and the HTTP
 * adapters into a `Retry-After` header.
 */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  readonly scope: RateLimitScope;
  /** Milliseconds until the budget has room again. */
  readonly retryAfterMs: number;

  constructor(scope: RateLimitScope, retryAfterMs: number) {
    super(
      `Too many requests${scope === 'ip' ? ' from this address' : ''}: try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s.`,
    );
    this.scope = scope;
    this.retryAfterMs = Math.max(0, Math.ceil(retryAfterMs));
  }
}
