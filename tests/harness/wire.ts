/**
 * Calls over tRPC's plain JSON wire format, the way curl or a hostile client would: the body
 * text is ours to shape (raw JSON tokens such as `1e309`, deep nesting), calls can be sent
 * alone or as a batch, and subscriptions are read from their SSE stream. Every call is bounded
 * in time: a hang fails the call instead of the whole suite.
 */

/** A piece of JSON text put into a body verbatim (`1e309`, `-0`, deep nesting). */
export class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text.length > 60
      ? `${this.text.slice(0, 60)}… (${this.text.length} chars)`
      : this.text;
  }
}

/** JSON text of `value`, with every {@link RawJson} in it written verbatim. */
export function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof RawJson) {
      raws.push(item.text);
      return `\u0000raw:${raws.length - 1}\u0000`;
    }
    return item;
  });
  if (text === undefined) return '';
  return raws.length === 0
    ? text
    : text.replace(/"\\u0000raw:(\d+)\\u0000"/g, (_match, index: string) => raws[Number(index)]!);
}

/** How a procedure is called over HTTP. */
export type CallKind = 'query' | 'mutation' | 'subscription';

/** A tRPC error as the API answers it. */
export interface WireError {
  message: string;
  code: number;
  data: {
    code: string;
    httpStatus: number;
    path?: string;
    issues?: { path: (string | number)[]; message: string }[];
    retryAfterMs?: number;
    stack?: unknown;
  };
}

/** What a call got back. */
export interface WireResponse {
  /** The HTTP status (200 for a subscription's stream, whatever its first event). */
  status: number;
  headers: Headers;
  /** The response text (for a subscription, up to its first event). */
  text: string;
  /** The call's result data, when it succeeded. */
  data?: unknown;
  /** The call's error, when it failed the tRPC way. */
  error?: WireError;
  /** From sending to the full answer, in milliseconds. */
  ms: number;
}

export interface SendOptions {
  kind: CallKind;
  token?: string;
  /** The input; `undefined` sends none. */
  input?: unknown;
  /** Send as a batch of one (`?batch=1`, `{"0": input}`). */
  batch?: boolean;
  /** The request's Content-Type (mutations). @default application/json */
  contentType?: string | null;
  headers?: Record<string, string>;
  /** @default 15000 */
  timeoutMs?: number;
}

function firstSseEvent(text: string): { event: string; data: string } | undefined {
  // the part after the last blank line is not complete yet
  for (const block of text.split('\n\n').slice(0, -1)) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (event === 'connected' || event === 'ping' || data.length === 0) continue;
    return { event, data: data.join('\n') };
  }
  return undefined;
}

/** Reads a subscription's stream up to its first event (an error or the first data). */
async function readFirstEvent(
  response: Response,
): Promise<{ text: string; data?: unknown; error?: WireError }> {
  const reader = response.body?.getReader();
  if (!reader) return { text: '' };
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { text };
      text += decoder.decode(value, { stream: true });
      const first = firstSseEvent(text);
      if (first) {
        const parsed = JSON.parse(first.data) as unknown;
        return first.event === 'serialized-error'
          ? { text, error: parsed as WireError }
          : { text, data: parsed };
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Calls `procedure` at `base` (the server's URL, without `/trpc`). */
export async function send(
  base: string,
  procedure: string,
  options: SendOptions,
): Promise<WireResponse> {
  const { kind, batch = false } = options;
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const inputText =
    options.input === undefined
      ? undefined
      : batch
        ? `{"0":${jsonText(options.input)}}`
        : jsonText(options.input);
  const query = new URLSearchParams();
  if (batch) query.set('batch', '1');
  let body: string | undefined;
  if (kind === 'mutation') {
    body = inputText ?? (batch ? '{}' : undefined);
    const type = options.contentType === undefined ? 'application/json' : options.contentType;
    if (type !== null) headers['content-type'] = type;
  } else if (inputText !== undefined) {
    query.set('input', inputText);
  }
  if (kind === 'subscription') headers.accept = 'text/event-stream';
  const search = query.toString();
  const url = `${base}/trpc/${procedure}${search ? `?${search}` : ''}`;
  const started = performance.now();
  const response = await fetch(url, {
    method: kind === 'mutation' ? 'POST' : 'GET',
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  if (
    kind === 'subscription' &&
    response.headers.get('content-type')?.startsWith('text/event-stream')
  ) {
    const first = await readFirstEvent(response);
    return {
      status: response.status,
      headers: response.headers,
      ...first,
      ms: performance.now() - started,
    };
  }
  const text = await response.text();
  const ms = performance.now() - started;
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    return { status: response.status, headers: response.headers, text, ms };
  }
  const item = (Array.isArray(parsed) ? parsed[0] : parsed) as
    | { result?: { data?: unknown }; error?: WireError }
    | undefined;
  return {
    status: response.status,
    headers: response.headers,
    text,
    ms,
    ...(item?.error ? { error: item.error } : {}),
    ...(item?.result ? { data: item.result.data } : {}),
  };
}

/** The error code of a response: the tRPC code, `ok`, or `HTTP <status>` for anything else. */
export function outcomeOf(response: WireResponse): string {
  if (response.error) return response.error.data.code;
  if (response.status >= 200 && response.status < 300) return 'ok';
  return `HTTP ${response.status}`;
}

/** A mutation with a JSON input, answering the data or throwing with what came back. */
export async function mutate<T>(
  base: string,
  procedure: string,
  token: string,
  input: unknown,
): Promise<T> {
  const response = await send(base, procedure, { kind: 'mutation', token, input });
  if (response.error || response.status !== 200) {
    throw new Error(`${procedure} failed: ${response.status} ${response.text.slice(0, 500)}`);
  }
  return response.data as T;
}

/** A query with a JSON input, answering the data or throwing with what came back. */
export async function query<T>(
  base: string,
  procedure: string,
  token: string,
  input?: unknown,
): Promise<T> {
  const response = await send(base, procedure, { kind: 'query', token, input });
  if (response.error || response.status !== 200) {
    throw new Error(`${procedure} failed: ${response.status} ${response.text.slice(0, 500)}`);
  }
  return response.data as T;
}
