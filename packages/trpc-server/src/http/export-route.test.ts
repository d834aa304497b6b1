import {
  appendMessage,
  createConversation,
  createShare,
  createTask,
  createTaskpulse,
  type ExportRecord,
  exportRecordSchema,
  exportUserData,
  type Taskpulse,
} from '@taskpulse/core';
import { parse as parseContentDisposition } from 'content-disposition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../core/test/databases.ts';
import { postgresAvailable } from '../../test/api.ts';
import { captureLogs } from '../../test/logs.ts';
import { histogramCount } from '../../test/metrics.ts';
import { signHs256, TEST_SECRET } from '../../test/tokens.ts';
import {
  createTaskpulseFetchHandler,
  createTaskpulseRuntime,
  createTaskpulseServer,
  type TaskpulseFetchHandler,
  type TaskpulseServer,
} from '../index.ts';
import { exportFileName } from './export-route.ts';

const TITLE = 'Ünïcödé 🎉 e\u0301 \u0007 "quoted" \\ \u2028 line';

for (const kind of ['postgres', 'pglite'] as const) {
  describe.skipIf(kind === 'postgres' && !postgresAvailable)(
    `GET /me/export and me.delete [${kind}]`,
    () => {
      const logs = captureLogs();
      let tp: Taskpulse;
      let drop: (() => Promise<void>) | undefined;
      let server: TaskpulseServer;
      let base: string;
      let handler: TaskpulseFetchHandler;
      let limited: TaskpulseFetchHandler;
      beforeAll(async () => {
        if (kind === 'postgres') {
          const database = await createTestDatabase();
          drop = database.drop;
          tp = await createTaskpulse({ database: { url: database.url }, migrate: true });
        } else {
          tp = await createTaskpulse({ database: { embedded: {} }, migrate: true });
        }
        const runtime = createTaskpulseRuntime({
          taskpulse: tp,
          auth: { secret: TEST_SECRET },
          logger: logs.logger,
        });
        server = createTaskpulseServer({ runtime });
        ({ url: base } = await server.listen(0, '127.0.0.1'));
        handler = createTaskpulseFetchHandler({ runtime });
        limited = createTaskpulseFetchHandler({
          taskpulse: tp,
          auth: { secret: TEST_SECRET },
          logger: logs.logger,
          rateLimit: { user: { points: 2, durationSeconds: 60 } },
        });
      }, 60_000);
      afterAll(async () => {
        await limited?.close();
        await handler?.close();
        await server?.close();
        await server?.runtime.close();
        await tp?.close();
        await drop?.();
      });

      const bearer = async (sub: string) => ({
        authorization: `Bearer ${await signHs256({ sub, name: sub })}`,
      });
      const fetchVia = (via: 'node' | 'fetch', path: string, init: RequestInit = {}) =>
        via === 'node'
          ? fetch(`${base}${path}`, init)
          : handler(new Request(`http://taskpulse.test${path}`, init));
      const provision = async (sub: string) => {
        const answer = await fetchVia('fetch', '/trpc/me', { headers: await bearer(sub) });
        expect(answer.status).toBe(200);
      };
      const lines = (body: string) => {
        expect(body.endsWith('\n')).toBe(true);
        return body
          .slice(0, -1)
          .split('\n')
          .map((line) => exportRecordSchema.parse(JSON.parse(line)) as ExportRecord);
      };

      for (const via of ['node', 'fetch'] as const) {
        it(`refuses an export without a valid token: 401, nothing streamed [${via}]`, async () => {
          for (const headers of [{}, { authorization: 'Bearer not-a-token' }] as Record<
            string,
            string
          >[]) {
            const answer = await fetchVia(via, '/me/export', { headers });
            expect(answer.status).toBe(401);
            expect(answer.headers.get('www-authenticate')).toBe('Bearer');
            expect(answer.headers.get('content-type')).toContain('application/json');
            expect(((await answer.json()) as { error: { code: string } }).error.code).toBe(
              'UNAUTHORIZED',
            );
          }
          const post = await fetchVia(via, '/me/export', {
            method: 'POST',
            headers: await bearer('poster'),
          });
          expect(post.status).toBe(405);
          expect(post.headers.get('allow')).toBe('GET, HEAD');
        });
      }

      it('streams the caller’s data as NDJSON with a file name, the same through both servers, logged and counted', async () => {
        await provision('exporter');
        await provision('friend');
        const me = tp.context({ id: 'exporter' });
        const task = await createTask(me, { title: TITLE, description: `${TITLE}\n${TITLE}` });
        await createTask(me, { title: 'second' });
        await createShare(me, { taskId: task.id, userId: 'friend', permission: 'edit' });
        const friendsTask = await createTask(tp.context({ id: 'friend' }), { title: 'friend’s' });
        await createShare(tp.context({ id: 'friend' }), {
          taskId: friendsTask.id,
          userId: 'exporter',
          permission: 'view',
        });
        const chat = await createConversation(me, { title: 'chat 💬' });
        await appendMessage(me, { conversationId: chat.id, role: 'user', content: TITLE });
        const expected: ExportRecord[] = [];
        for await (const record of exportUserData(tp.context({ id: 'exporter' })))
          expected.push(record);
        expect(expected.map((record) => record.type)).toEqual([
          'user',
          'task',
          'task',
          'share',
          'share',
          'conversation',
          'message',
        ]);

        const bodies: string[] = [];
        for (const via of ['node', 'fetch'] as const) {
          const answer = await fetchVia(via, '/me/export', {
            headers: { ...(await bearer('exporter')), 'x-request-id': `export-${via}` },
          });
          expect(answer.status).toBe(200);
          expect(answer.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
          // RFC 6266, read the way a browser does
          expect(parseContentDisposition(answer.headers.get('content-disposition') ?? '')).toEqual({
            type: 'attachment',
            parameters: {
              filename: `taskpulse-export-exporter-${new Date().toISOString().slice(0, 10)}.ndjson`,
            },
          });
          expect(answer.headers.get('cache-control')).toBe('no-store');
          expect(answer.headers.get('x-request-id')).toBe(`export-${via}`);
          expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
          const body = await answer.text();
          expect(lines(body)).toEqual(expected);
          // text byte for byte, through JSON and UTF-8
          expect(body).toContain(JSON.stringify(TITLE));
          bodies.push(body);
          const line = logs.lines.find(
            (candidate) => candidate.requestId === `export-${via}` && candidate.msg === 'request',
          );
          expect(line).toMatchObject({ method: 'GET', status: 200, userId: 'exporter' });
          expect(JSON.stringify(line)).toContain('me.export');
        }
        expect(bodies[0]).toBe(bodies[1]);
        const metrics = await (await fetchVia('node', '/metrics')).text();
        expect(
          histogramCount(metrics, 'taskpulse_request_duration_seconds', {
            procedure: 'me.export',
            outcome: 'ok',
          }),
        ).toBeGreaterThanOrEqual(2);

        const head = await fetchVia('fetch', '/me/export', {
          method: 'HEAD',
          headers: await bearer('exporter'),
        });
        expect(head.status).toBe(200);
        expect(head.headers.get('content-disposition')).toContain('attachment');
        expect(await head.text()).toBe('');
      });

      it('is in the OpenAPI document beside me.delete', async () => {
        const document = (await (await fetchVia('node', '/openapi.json')).json()) as {
          paths: Record<
            string,
            Record<
              string,
              {
                operationId: string;
                responses: Record<string, { content?: Record<string, unknown> }>;
              }
            >
          >;
        };
        expect(document.paths['/me/export']?.get?.operationId).toBe('meExport');
        expect(
          Object.keys(document.paths['/me/export']?.get?.responses['200']?.content ?? {}),
        ).toEqual(['application/x-ndjson']);
        expect(document.paths['/trpc/me.delete']?.post).toBeDefined();
      });

      it('counts exports against the user’s rate limit', async () => {
        const headers = await bearer('limited-user');
        const statuses: number[] = [];
        for (let i = 0; i < 3; i += 1) {
          const answer = await limited(new Request('http://taskpulse.test/me/export', { headers }));
          statuses.push(answer.status);
          if (answer.status === 429)
            expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
          await answer.body?.cancel();
        }
        expect(statuses).toEqual([200, 200, 429]);
      });

      it('streams with backpressure: a client that does not read holds the export at a chunk or two', async () => {
        await provision('heavy');
        await tp.fork().execute(
          `insert into tasks (id, user_id, title, description, created_at, updated_at)
          select gen_random_uuid(), 'heavy', 'task ' || n, repeat('d', 200), now() - n * interval '1 second', now()
          from generate_series(1, 20000) n`,
        );
        let exportQueries = 0;
        const stop = tp.observeQueries((query) => {
          if (/from tasks t\s+where t.user_id/.test(query.sql)) exportQueries += 1;
        });
        try {
          const answer = await handler(
            new Request('http://taskpulse.test/me/export', { headers: await bearer('heavy') }),
          );
          expect(answer.status).toBe(200);
          const reader = answer.body!.getReader();
          const first = await reader.read();
          expect(first.done).toBe(false);
          // the client stops reading: the server stops reading pages
          await new Promise((resolve) => setTimeout(resolve, 300));
          const whilePaused = exportQueries;
          expect(whilePaused).toBeLessThanOrEqual(3);
          let text = new TextDecoder().decode(first.value);
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            text += new TextDecoder().decode(value, { stream: true });
          }
          const records = lines(text);
          expect(records.filter((record) => record.type === 'task')).toHaveLength(20000);
          // 20 pages of tasks, then the shares' pass over the same 20 pages
          expect(exportQueries).toBeGreaterThanOrEqual(20);
        } finally {
          stop();
        }
      });

      it('deletes the account over HTTP only with confirm: true; the same token then starts afresh', async () => {
        await provision('leaver');
        await createTask(tp.context({ id: 'leaver' }), { title: 'mine' });
        const headers = { ...(await bearer('leaver')), 'content-type': 'application/json' };
        for (const body of ['{}', '{"confirm":false}', '{"confirm":"yes"}']) {
          const refused = await fetchVia('node', '/trpc/me.delete', {
            method: 'POST',
            headers,
            body,
          });
          expect(refused.status).toBe(400);
          const error = (
            (await refused.json()) as {
              error: { data: { code: string; issues: { path: unknown[] }[] } };
            }
          ).error;
          expect(error.data.code).toBe('BAD_REQUEST');
          expect(error.data.issues.map((issue) => issue.path[0])).toContain('confirm');
        }
        expect(
          await tp.fork().execute(`select id from tasks where user_id = 'leaver'`),
        ).toHaveLength(1);
        const deleted = await fetchVia('node', '/trpc/me.delete', {
          method: 'POST',
          headers,
          body: '{"confirm":true}',
        });
        expect(deleted.status).toBe(200);
        expect(((await deleted.json()) as { result: { data: unknown } }).result.data).toEqual({
          userId: 'leaver',
          tasks: 1,
          shares: 0,
          teams: 0,
          memberships: 0,
          conversations: 0,
          messages: 0,
        });
        expect(await tp.fork().execute(`select id from users where id = 'leaver'`)).toEqual([]);
        // the next call provisions a new, empty user (not a stale one from the provisioning cache)
        const again = await fetchVia('fetch', '/me/export', { headers: await bearer('leaver') });
        expect(lines(await again.text()).map((record) => record.type)).toEqual(['user']);
        await createTask(tp.context({ id: 'leaver' }), { title: 'a new start' });
      });
    },
  );
}

describe('exportFileName', () => {
  it('keeps the user id readable and drops what file systems refuse', () => {
    const at = new Date('2026-12-02T23:59:00Z');
    expect(exportFileName('auth0|alice', at)).toBe(
      'taskpulse-export-auth0_alice-2026-12-02.ndjson',
    );
    expect(exportFileName('../etc/passwd\u0000', at)).toBe(
      'taskpulse-export-.._etc_passwd_-2026-12-02.ndjson',
    );
    expect(exportFileName('zoë', at)).toBe('taskpulse-export-zoë-2026-12-02.ndjson');
  });
});
