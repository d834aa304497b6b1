import { z } from 'zod';
import type { TaskpulseRuntime } from '../runtime/index.ts';
import type { ResolvedHttpOptions } from './options.ts';

/** A response outside tRPC: health, metrics, not found. */
export interface PlainResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What `GET /health/live` answers while the process runs. */
export const livenessSchema = z.object({ status: z.literal('ok') });

/** What `GET /health/ready` answers: 200 when the database answers, 503 when it does not. */
export const readinessSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  database: z.enum(['up', 'down']),
});

const json = (status: number, body: unknown): PlainResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/**
 * Answers the plain HTTP routes beside tRPC: `GET /health/live` (200 while the process runs),
 * `GET /health/ready` (200 when the database answers, else 503), `GET /metrics` (Prometheus
 * text) and 404 for anything else. HEAD is answered like GET, without a body.
 */
export async function plainRoute(
  method: string,
  pathname: string,
  runtime: TaskpulseRuntime,
  http: ResolvedHttpOptions,
  routePaths: readonly string[] = [],
): Promise<PlainResponse> {
  const known =
    pathname === '/health/live' ||
    pathname === '/health/ready' ||
    (http.metricsPath !== false && pathname === http.metricsPath);
  if (!known) {
    const paths = [
      `${http.basePath}/<procedure>`,
      '/health/live',
      '/health/ready',
      ...(http.metricsPath === false ? [] : [http.metricsPath]),
      ...routePaths,
    ];
    return json(404, {
      error: {
        message: `Not found. This server answers ${paths.slice(0, -1).join(', ')} and ${paths.at(-1)}.`,
      },
    });
  }
  if (method !== 'GET' && method !== 'HEAD') {
    return {
      ...json(405, { error: { message: `Use GET for ${pathname}.` } }),
      headers: { allow: 'GET, HEAD', 'content-type': 'application/json' },
    };
  }
  if (pathname === '/health/live') {
    return json(200, { status: 'ok' } satisfies z.output<typeof livenessSchema>);
  }
  if (pathname === '/health/ready') {
    const up = await runtime.isReady();
    return json(up ? 200 : 503, {
      status: up ? 'ok' : 'unavailable',
      database: up ? 'up' : 'down',
    } satisfies z.output<typeof readinessSchema>);
  }
  return {
    status: 200,
    headers: { 'content-type': runtime.metrics.contentType, 'cache-control': 'no-store' },
    body: await runtime.metrics.render(),
  };
}

/**
 * Headers on every response: the API answers JSON, SSE or Prometheus text, never anything a
 * browser should guess the type of.
 */
export const RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
};

/** `response` with `headers` set: on the response itself, or on a copy when its headers are immutable. */
export function withHeaders(response: Response, headers: Record<string, string>): Response {
  try {
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  } catch {
    // immutable headers (a Response from fetch()): copy it
    const copy = new Response(response.body, response);
    for (const [name, value] of Object.entries(headers)) copy.headers.set(name, value);
    return copy;
  }
}
