/**
 * The /mcp endpoint as HTTP: authentication with RFC 9728 discovery, rate limits, DNS
 * rebinding protection, hostile bodies, one log line per request, the OpenTelemetry MCP
 * metric, and the fetch handler serving the same endpoint.
 */
import { createTaskpulseFetchHandler, createTaskpulseRuntime } from '@taskpulse/trpc-server';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeDatabases, useTestDatabase } from '../../core/test/databases.ts';
import { signHs256, TEST_SECRET } from '../../trpc-server/test/tokens.ts';
import { taskpulseMcp } from '../src/index.ts';
import { connectClient, fingerprint, structured, tokenFor, trpc, useMcpApi } from './harness.ts';

const ACCEPT = 'application/json, text/event-stream';

/** A JSON-RPC request as an MCP client posts it. */
const rpc = (method: string, params: Record<string, unknown> = {}, id: number | string = 1) =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params });

const initialize = rpc('initialize', {
  protocolVersion: '2025-11-25',
  capabilities: {},
  clientInfo: { name: 'curl', version: '1' },
});

describeDatabases('the /mcp endpoint', (db) => {
  const api = useMcpApi(db, {
    mcp: { authorizationServers: ['https://id.example.com'], scopes: ['tasks'] },
    rateLimit: {
      ip: { points: 1_000_000, durationSeconds: 60 },
      user: { points: 1_000_000, durationSeconds: 60 },
    },
  });
  let token: string;
  beforeAll(async () => {
    token = await tokenFor('alice');
    await trpc(api.url, 'me', token);
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${api.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
      body,
    });

  it('answers a request without a token 401, naming the protected-resource metadata', async () => {
    const response = await post(initialize);
    expect(response.status).toBe(401);
    const metadataUrl = `${api.url}/.well-known/oauth-protected-resource/mcp`;
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${metadataUrl}"`,
    );
    const metadata = await fetch(metadataUrl);
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toEqual({
      resource: `${api.url}/mcp`,
      authorization_servers: ['https://id.example.com'],
      scopes_supported: ['tasks'],
      bearer_methods_supported: ['header'],
      resource_name: 'taskpulse',
    });
    // the root document too, for clients that look there first
    const root = await fetch(`${api.url}/.well-known/oauth-protected-resource`);
    expect(((await root.json()) as { resource: string }).resource).toBe(`${api.url}/mcp`);
  });

  it('answers a bad, expired or forged token 401 with error="invalid_token"', async () => {
    const expired = await signHs256({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 3600 });
    const forged = await signHs256(
      { sub: 'alice' },
      { secret: 'another-secret-that-is-long-enough!!' },
    );
    for (const bad of ['not-a-jwt', expired, forged]) {
      const response = await post(initialize, { authorization: `Bearer ${bad}` });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(
        /^Bearer resource_metadata="[^"]+", error="invalid_token", error_description="[^"]+"$/,
      );
      expect(await response.json()).toMatchObject({ error: 'invalid_token' });
    }
  });

  it('answers malformed JSON-RPC with a JSON-RPC error, never a 5xx, and writes nothing', async () => {
    const before = await fingerprint(api.tp);
    const auth = { authorization: `Bearer ${token}` };
    const cases: [string, Record<string, string>, number][] = [
      ['{"jsonrpc":', auth, 400],
      ['[]', auth, 400],
      ['{"jsonrpc":"2.0","method":42}', auth, 400],
      ['"just a string"', auth, 400],
      [
        rpc('tools/call', { name: 'add-tasks', arguments: { tasks: [{ title: 'x' }] } }),
        { ...auth, accept: 'text/html' },
        406,
      ],
      [initialize, { ...auth, 'content-type': 'text/plain' }, 415],
    ];
    for (const [body, headers, status] of cases) {
      const response = await post(body, headers);
      expect([body.slice(0, 40), response.status]).toEqual([body.slice(0, 40), status]);
      const answer = (await response.json()) as { jsonrpc?: string; error?: { code: number } };
      expect(answer.jsonrpc).toBe('2.0');
      expect(typeof answer.error?.code).toBe('number');
    }
    // a body over the server's limit, declared or streamed without a length
    const huge = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { x: 'x'.repeat(2_000_000) },
    });
    expect((await post(huge, auth)).status).toBe(413);
    const streamed = await fetch(`${api.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ACCEPT, ...auth },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(huge));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
    const get = await fetch(`${api.url}/mcp`, {
      headers: { ...auth, accept: 'text/event-stream' },
    });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await fingerprint(api.tp)).toBe(before);
  });

  it('answers an unknown method with a JSON-RPC error after initialize', async () => {
    const response = await post(rpc('tasks/steal', {}, 7), {
      authorization: `Bearer ${token}`,
      'mcp-protocol-version': '2025-11-25',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 7, error: { code: -32601 } });
  });

  it('logs one line per request and times every operation in the metrics', async () => {
    api.logs.clear();
    const client = await connectClient(api.url, token);
    await structured(client, 'find-tasks', { limit: 1 });
    await client.callTool({ name: 'add-tasks', arguments: { tasks: [{ title: '' }] } });
    await client.close();
    const lines = api.logs.lines.filter((line) => line.msg === 'request');
    expect(lines.map((line) => line.procedures)).toEqual(
      expect.arrayContaining([
        ['mcp initialize'],
        ['mcp tools/list'],
        ['mcp tools/call find-tasks'],
        ['mcp tools/call add-tasks'],
      ]),
    );
    const failed = lines.find(
      (line) => (line.procedures as string[])[0] === 'mcp tools/call add-tasks',
    );
    expect(failed).toMatchObject({ userId: 'alice', status: 200, outcomes: ['tool_error'] });
    // what a log line never holds: the token, the arguments
    expect(api.logs.raw.join('\n')).not.toContain(token);

    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(
      /mcp_server_operation_duration_seconds_count\{mcp_method_name="tools\/call",network_transport="tcp",gen_ai_tool_name="find-tasks",mcp_protocol_version="2025-11-25"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /mcp_server_operation_duration_seconds_count\{mcp_method_name="tools\/call",network_transport="tcp",gen_ai_tool_name="add-tasks",error_type="tool_error",mcp_protocol_version="2025-11-25"\} [1-9]/,
    );
  });

  it('refuses a Host or Origin of another site: the server listens on loopback', async () => {
    const auth = { authorization: `Bearer ${token}` };
    for (const origin of ['http://evil.example.com', 'null']) {
      const response = await post(initialize, { ...auth, origin });
      expect([origin, response.status]).toEqual([origin, 403]);
    }
    for (const origin of [api.url, 'http://localhost:5173']) {
      const response = await post(initialize, { ...auth, origin });
      expect([origin, response.status]).toEqual([origin, 200]);
    }
  });
});

describe('the /mcp endpoint, rate limited', () => {
  const db = useTestDatabase('pglite');
  const api = useMcpApi(db, { rateLimit: { user: { points: 3, durationSeconds: 60 } } });

  it('answers 429 with Retry-After once the user budget is spent, and counts it', async () => {
    const token = await tokenFor('busy');
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i += 1) {
      const response = await fetch(`${api.url}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: ACCEPT,
          authorization: `Bearer ${token}`,
        },
        body: initialize,
      });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/taskpulse_rate_limited_total\{scope="user"\} 2/);
  });
});

describe('the /mcp endpoint in the fetch handler', () => {
  const db = useTestDatabase('pglite');

  it('serves the same tools, and checks Host against allowedHosts', async () => {
    const runtime = createTaskpulseRuntime({
      taskpulse: db.tp,
      auth: { secret: TEST_SECRET },
      logger: pino({ level: 'silent' }),
      rateLimit: false,
    });
    const handler = createTaskpulseFetchHandler({
      runtime,
      routes: [taskpulseMcp({ allowedHosts: ['api.example.com'] })],
    });
    expect(() =>
      createTaskpulseFetchHandler({ runtime, routes: [taskpulseMcp({ path: 'mcp' })] }),
    ).toThrow(/Invalid HTTP option routes: must be a path/);
    try {
      const token = await tokenFor('fetcher');
      const send = (host: string) =>
        handler(
          new Request(`http://${host}/mcp`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: ACCEPT,
              authorization: `Bearer ${token}`,
            },
            body: initialize,
          }),
        );
      expect((await send('evil.example.com')).status).toBe(403);
      const ok = await send('api.example.com');
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({
        result: { serverInfo: { name: 'taskpulse' }, capabilities: { tools: {} } },
      });
      const listed = await handler(
        new Request('http://api.example.com/mcp', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: ACCEPT,
            authorization: `Bearer ${token}`,
            'mcp-protocol-version': '2025-11-25',
          },
          body: rpc('tools/list', {}, 2),
        }),
      );
      expect(((await listed.json()) as { result: { tools: unknown[] } }).result.tools).toHaveLength(
        15,
      );
    } finally {
      await handler.close();
      await runtime.close();
    }
  });
});
