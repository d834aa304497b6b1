import { TaskpulseError } from '@taskpulse/core';

/**
 * Which web origins may call the API from a browser (CORS). Without it, only pages of the
 * API's own origin can (no CORS headers are sent).
 *
 * @example
 * ```ts
 * createTaskpulseServer({ taskpulse: tp, auth, cors: { origin: ['https://app.example.com'] } });
 * createTaskpulseServer({ taskpulse: tp, auth, cors: { origin: (o) => o.endsWith('.example.com') } });
 * ```
 */
export interface TaskpulseCorsOptions {
  /**
   * The allowed origins: a list of exact origins (`https://app.example.com`, with the port
   * when it is not the scheme's default), `'*'` for any origin, or a function that decides
   * for each request's `Origin`.
   */
  origin: string | readonly string[] | ((origin: string) => boolean);
  /**
   * Send `Access-Control-Allow-Credentials: true`, so that the browser includes cookies (an
   * app whose `resolveUser` reads a session cookie). Bearer tokens do not need it. Not with `'*'`.
   * @default false
   */
  credentials?: boolean;
  /** How long a browser may cache a preflight's answer, in seconds. @default 600 */
  maxAgeSeconds?: number;
}

/** The request headers a browser may send (besides the CORS-safelisted ones). */
export const CORS_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'X-Request-Id',
  'trpc-accept',
  'Last-Event-ID',
  'Mcp-Session-Id',
  'Mcp-Protocol-Version',
] as const;

/** The response headers a page may read (besides the CORS-safelisted ones). */
export const CORS_EXPOSE_HEADERS = [
  'x-request-id',
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'WWW-Authenticate',
  'Mcp-Session-Id',
] as const;

const ALLOW_METHODS = 'GET, HEAD, POST, DELETE, OPTIONS';

/** {@link TaskpulseCorsOptions} checked, or `false` (same origin only). */
export interface ResolvedCors {
  readonly allows: (origin: string) => boolean;
  readonly any: boolean;
  readonly credentials: boolean;
  readonly maxAgeSeconds: number;
}

function invalid(path: string, message: string): TaskpulseError {
  return new TaskpulseError('VALIDATION', `Invalid HTTP option cors.${path}: ${message}.`, {
    issues: [{ path: ['cors', ...path.split('.')], message }],
  });
}

/** Checks the `cors` option; `false` when none is given (same origin only). */
export function resolveCors(
  options: TaskpulseCorsOptions | false | undefined,
): ResolvedCors | false {
  if (options === undefined || options === false) return false;
  if (typeof options !== 'object' || options === null) {
    throw invalid('origin', 'give { origin: [...] } or a function');
  }
  const credentials = options.credentials ?? false;
  const maxAgeSeconds = options.maxAgeSeconds ?? 600;
  if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 0) {
    throw invalid('maxAgeSeconds', 'must be an integer >= 0');
  }
  const { origin } = options;
  if (typeof origin === 'function') {
    return {
      allows: (candidate) => {
        try {
          return origin(candidate) === true;
        } catch {
          return false;
        }
      },
      any: false,
      credentials,
      maxAgeSeconds,
    };
  }
  const list = typeof origin === 'string' ? [origin] : origin;
  if (!Array.isArray(list) || list.length === 0) {
    throw invalid('origin', 'give at least one origin, "*" or a function');
  }
  const any = list.includes('*');
  if (any && credentials) {
    throw invalid('credentials', 'cannot be sent to any origin ("*"): list the origins');
  }
  for (const entry of list) {
    if (entry === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = typeof entry === 'string' ? new URL(entry) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin === 'null' || parsed.origin !== entry) {
      throw invalid(
        'origin',
        `${JSON.stringify(entry)} is not an origin: write it as the browser sends it, e.g. https://app.example.com (scheme, host, the port unless default; no path or trailing slash)`,
      );
    }
  }
  const allowed = new Set(list);
  return { allows: (candidate) => any || allowed.has(candidate), any, credentials, maxAgeSeconds };
}

/** What CORS makes of one request: the headers to answer with, and whether it is a preflight. */
export interface CorsAnswer {
  /** A preflight (`OPTIONS` with `Access-Control-Request-Method`): answer 204 with the headers, nothing else. */
  readonly preflight: boolean;
  readonly headers: Record<string, string>;
}

/**
 * The CORS headers for a request with this method, `Origin` and
 * `Access-Control-Request-Method`. `Vary: Origin` is on every answer when CORS is configured,
 * since the answer depends on it; an origin that is not allowed gets no other CORS header (the
 * browser then blocks the page from reading the answer).
 */
export function corsAnswer(
  cors: ResolvedCors | false,
  method: string,
  origin: string | null | undefined,
  requestMethod: string | null | undefined,
): CorsAnswer {
  const preflight = method === 'OPTIONS' && Boolean(origin) && Boolean(requestMethod);
  if (!cors) return { preflight, headers: {} };
  const headers: Record<string, string> = { vary: 'Origin' };
  if (!origin || !cors.allows(origin)) return { preflight, headers };
  headers['access-control-allow-origin'] = cors.any && !cors.credentials ? '*' : origin;
  if (cors.credentials) headers['access-control-allow-credentials'] = 'true';
  if (preflight) {
    headers['access-control-allow-methods'] = ALLOW_METHODS;
    headers['access-control-allow-headers'] = CORS_ALLOW_HEADERS.join(', ');
    headers['access-control-max-age'] = String(cors.maxAgeSeconds);
  } else {
    headers['access-control-expose-headers'] = CORS_EXPOSE_HEADERS.join(', ');
  }
  return { preflight, headers };
}

/** `existing` Vary values with `added` ones, each once (`*` stays alone). */
export function mergeVary(
  existing: string | number | readonly string[] | undefined | null,
  added: string,
): string {
  const values = [existing ?? []].flat().flatMap((value) => String(value).split(','));
  const seen = new Map<string, string>();
  for (const value of [...values, ...added.split(',')]) {
    const trimmed = value.trim();
    if (trimmed) seen.set(trimmed.toLowerCase(), trimmed);
  }
  return seen.has('*') ? '*' : [...seen.values()].join(', ');
}

/** `response` with the CORS headers of {@link corsAnswer}, its own `Vary` values kept. */
export function withCorsHeaders(response: Response, headers: Record<string, string>): Response {
  if (Object.keys(headers).length === 0) return response;
  const apply = (target: Headers) => {
    for (const [name, value] of Object.entries(headers)) {
      target.set(name, name === 'vary' ? mergeVary(target.get('vary'), value) : value);
    }
  };
  try {
    apply(response.headers);
    return response;
  } catch {
    // immutable headers (a Response from fetch()): copy it
    const copy = new Response(response.body, response);
    apply(copy.headers);
    return copy;
  }
}
