/**
 * Size limits at the HTTP edge, with the server's defaults (maxBodySize 1 MiB, maxBatchSize 20)
 * and Node's own header limit (16 KB): what is over is refused with its proper code before any
 * of it is parsed or written, what is just under goes through, and the server keeps serving.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, tokenFor, useApi } from '../harness/api.ts';
import { useSql } from '../harness/database.ts';
import { mutate, send } from '../harness/wire.ts';

const MAX_BODY_BYTES = 1_048_576;
const MAX_BATCH = 20;

describe.skipIf(!postgresAvailable)('size limits at the HTTP edge [postgres]', () => {
  const api = useApi();
  const sql = useSql(() => api.databaseUrl);
  let token: string;
  let conversationId: string;

  beforeAll(async () => {
    token = await tokenFor('limits-user');
    conversationId = (await mutate<{ id: string }>(api.url, 'conversations.create', token, {})).id;
  });

  /** A messages.append body of exactly `bytes` bytes: a valid input padded with JSON whitespace. */
  const paddedBody = (content: string, bytes: number) => {
    const json = JSON.stringify({ conversationId, role: 'user', content });
    const padding = bytes - Buffer.byteLength(json);
    if (padding < 0) throw new Error('the input alone is larger than asked');
    return `${json.slice(0, -1)}${' '.repeat(padding)}}`;
  };
  const post = (
    procedure: string,
    body: string | ReadableStream<Uint8Array>,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${api.url}/trpc/${procedure}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body,
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);

  it('takes a valid body of 1 MiB less a few bytes, and stores it verbatim', async () => {
    // 100,000 four-byte characters: the longest message, 400 KB of UTF-8
    const content = '😀'.repeat(25_000) + '𠜎'.repeat(25_000) + 'é'.repeat(50_000);
    expect([...content]).toHaveLength(100_000);
    const response = await post('messages.append', paddedBody(content, MAX_BODY_BYTES - 16));
    expect(response.status).toBe(200);
    const { result } = (await response.json()) as {
      result: { data: { id: string; content: string } };
    };
    expect(result.data.content === content).toBe(true);
    const [row] = await sql.query<{ content: string }>(
      'select content from messages where id = $1',
      [result.data.id],
    );
    expect(row?.content === content).toBe(true);
  });

  it('refuses a valid body one byte over 1 MiB with 413 PAYLOAD_TOO_LARGE, writing nothing', async () => {
    const before = await sql.fingerprint();
    const response = await post(
      'messages.append',
      paddedBody('over the limit', MAX_BODY_BYTES + 1),
    );
    expect(response.status).toBe(413);
    expect(JSON.stringify(await response.json())).toContain('PAYLOAD_TOO_LARGE');
    expect(await sql.fingerprint()).toEqual(before);
  });

  it('refuses a chunked body that grows past 1 MiB (no Content-Length) with 413, writing nothing', async () => {
    const before = await sql.fingerprint();
    const chunk = new TextEncoder().encode(' '.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(
          new TextEncoder().encode(
            `{"conversationId":"${conversationId}","role":"user","content":"x"`,
          ),
        );
      },
      pull(controller) {
        // 2 MiB of whitespace, then the end of the object: bounded, whatever the server does
        if (sent >= 2 * MAX_BODY_BYTES) {
          controller.enqueue(new TextEncoder().encode('}'));
          controller.close();
          return;
        }
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const response = await post('messages.append', body).catch((error: unknown) => error);
    // the server may answer 413 and close the connection before the upload ends
    if (response instanceof Response) {
      expect(response.status).toBe(413);
    } else {
      expect(String((response as Error).cause ?? response)).toMatch(
        /socket|closed|reset|terminated|EPIPE/i,
      );
    }
    expect(await sql.fingerprint()).toEqual(before);
  });

  it(`refuses a batch of ${MAX_BATCH + 1} valid writes with BAD_REQUEST, writing none of them`, async () => {
    const before = await sql.fingerprint();
    const calls = Array.from({ length: MAX_BATCH + 1 }, () => 'tasks.create').join(',');
    const input = Object.fromEntries(
      Array.from({ length: MAX_BATCH + 1 }, (_, i) => [String(i), { title: `batched ${i}` }]),
    );
    const response = await post(`${calls}?batch=1`, JSON.stringify(input));
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('BAD_REQUEST');
    expect(await sql.fingerprint()).toEqual(before);
  });

  it(`answers every call of a batch of exactly ${MAX_BATCH}`, async () => {
    const calls = Array.from({ length: MAX_BATCH }, () => 'me').join(',');
    const response = await fetch(`${api.url}/trpc/${calls}?batch=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result?: unknown }[];
    expect(body.filter((item) => item.result !== undefined)).toHaveLength(MAX_BATCH);
  });

  it('leaves a URL or a header over 16 KB to Node, which answers 431 before taskpulse sees it', async () => {
    const before = await sql.fingerprint();
    const longQuery = await send(api.url, 'tasks.list', {
      kind: 'query',
      token,
      input: { cursor: 'A'.repeat(20_000) },
    });
    expect(longQuery.status).toBe(431);
    const hugeToken = await fetch(`${api.url}/trpc/me`, {
      headers: { authorization: `Bearer ${'a'.repeat(20_000)}.b.c` },
    });
    expect(hugeToken.status).toBe(431);
    expect(await sql.fingerprint()).toEqual(before);
    // and the server goes on serving
    expect((await send(api.url, 'me', { kind: 'query', token })).status).toBe(200);
    expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
  });
});
