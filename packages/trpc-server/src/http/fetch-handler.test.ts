import { createTaskpulse, type Taskpulse } from '@taskpulse/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../core/test/databases.ts';
import { postgresAvailable } from '../../test/api.ts';
import { captureLogs } from '../../test/logs.ts';
import { testProcedures } from '../../test/procedures.ts';
import { signHs256, TEST_SECRET } from '../../test/tokens.ts';
import {
  createTaskpulseFetchHandler,
  createTaskpulseRouter,
  createTaskpulseRuntime,
  type TaskpulseFetchHandler,
} from '../index.ts';

describe.skipIf(!postgresAvailable)('createTaskpulseFetchHandler [postgres]', () => {
  const logs = captureLogs();
  let tp: Taskpulse;
  let drop: () => Promise<void>;
  let handler: TaskpulseFetchHandler;
  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    tp = await createTaskpulse({ database: { url: database.url }, migrate: true });
    const runtime = createTaskpulseRuntime({
      taskpulse: tp,
      auth: { secret: TEST_SECRET },
      logger: logs.logger,
      rateLimit: { user: { points: 2, durationSeconds: 60 } },
    });
    handler = createTaskpulseFetchHandler({
      runtime,
      router: createTaskpulseRouter(runtime, testProcedures),
      maxBodySize: 1024,
    });
  });
  afterAll(async () => {
    await handler?.close();
    await tp?.close();
    await drop?.();
  });

  const request = (path: string, init: RequestInit = {}) =>
    handler(new Request(`http://taskpulse.test${path}`, init));

  it('answers me and health at /trpc, with a request id', async () => {
    const token = await signHs256({
      sub: 'fetch-user',
      email: 'fetch@example.com',
      email_verified: true,
    });
    const me = await request('/trpc/me', {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'fetch-1' },
    });
    expect(me.status).toBe(200);
    expect(me.headers.get('x-request-id')).toBe('fetch-1');
    expect(me.headers.get('x-content-type-options')).toBe('nosniff');
    expect(((await me.json()) as { result: { data: unknown } }).result.data).toMatchObject({
      id: 'fetch-user',
      email: 'fetch@example.com',
    });
    expect(
      logs.lines.find((line) => line.requestId === 'fetch-1' && line.msg === 'request'),
    ).toMatchObject({
      userId: 'fetch-user',
      procedures: ['me'],
      outcome: 'ok',
    });
    const health = await request('/trpc/health');
    expect(((await health.json()) as { result: { data: unknown } }).result.data).toEqual({
      status: 'ok',
      database: 'up',
    });
  });

  it('serves the health routes and metrics beside tRPC, and 404 elsewhere', async () => {
    expect((await request('/health/live')).status).toBe(200);
    expect((await request('/health/ready')).status).toBe(200);
    const metrics = await request('/metrics');
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('taskpulse_requests_total{procedure="me",outcome="ok"}');
    expect((await request('/elsewhere')).status).toBe(404);
  });

  it('answers UNAUTHORIZED without a token, and TOO_MANY_REQUESTS with Retry-After over budget', async () => {
    expect((await request('/trpc/me')).status).toBe(401);
    const token = await signHs256({ sub: 'fetch-busy' });
    // the user budget is 2 calls a minute here
    const headers = { authorization: `Bearer ${token}` };
    expect((await request('/trpc/me', { headers })).status).toBe(200);
    expect((await request('/trpc/me', { headers })).status).toBe(200);
    const limited = await request('/trpc/me', { headers });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('refuses a body over maxBodySize with 413, declared or streamed', async () => {
    const token = await signHs256({ sub: 'fetch-big' });
    const body = JSON.stringify({ title: 'x'.repeat(4096), nested: { count: 1 } });
    const declared = await request('/trpc/test.echo', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': String(body.length),
      },
      body,
    });
    expect(declared.status).toBe(413);
    expect(JSON.stringify(await declared.json())).toContain('PAYLOAD_TOO_LARGE');

    // no content-length: the body is counted as it streams
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(body));
        controller.close();
      },
    });
    const streamed = await handler(
      new Request('http://taskpulse.test/trpc/test.echo', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: chunks,
        duplex: 'half',
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(JSON.stringify(await streamed.json())).toContain('PAYLOAD_TOO_LARGE');
  });
});
