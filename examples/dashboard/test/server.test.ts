import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDashboard } from '../server/app.ts';
import { DEMO_AUDIENCE, DEMO_ISSUER } from '../server/demo-auth.ts';
import { CONTENT_SECURITY_POLICY, IMMUTABLE_CACHE } from '../server/web-page.ts';
import { apiAs, demoSignIn, startTestDashboard, tempDir } from './support.ts';

// The server on a temporary PGlite folder, serving a stand-in page (the browser test builds
// the real one).
const SCRIPT = `export const figures = ${JSON.stringify(Array.from({ length: 200 }, (_, i) => i))};\n`;

/** A raw request (undici's fetch would decode the body and hide the encoding). */
async function raw(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const { request } = await import('node:http');
  return new Promise((done, fail) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const answer = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (typeof value === 'string') answer.set(name, value);
        }
        done({ status: res.statusCode ?? 0, headers: answer, body: Buffer.concat(chunks) });
      });
    })
      .on('error', fail)
      .end();
  });
}

describe('the dashboard server', () => {
  let data: Awaited<ReturnType<typeof tempDir>>;
  let web: Awaited<ReturnType<typeof tempDir>>;
  let app: RunningDashboard;

  beforeAll(async () => {
    data = await tempDir('taskpulse-dashboard-data-');
    web = await tempDir('taskpulse-dashboard-web-');
    await mkdir(join(web.path, 'assets'));
    await writeFile(join(web.path, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(web.path, 'assets', 'index-abc123.js'), 'console.log(1);');
    // as the build writes them: each asset with its brotli and gzip forms beside it
    await writeFile(join(web.path, 'assets', 'app-def456.js'), SCRIPT);
    await writeFile(join(web.path, 'assets', 'app-def456.js.br'), brotliCompressSync(SCRIPT));
    await writeFile(join(web.path, 'assets', 'app-def456.js.gz'), gzipSync(SCRIPT));
    app = await startTestDashboard({ dataDir: data.path, webRoot: web.path });
  });

  afterAll(async () => {
    await app?.close();
    await data?.remove();
    await web?.remove();
  });

  it('fills an empty database with the demo data and keeps a generated secret', async () => {
    expect(app.database).toBe('pglite');
    expect(app.seeded).toBe(true);
    expect(app.secretSource).toBe('generated');
    const secretFile = join(data.path, 'jwt-secret');
    expect((await readFile(secretFile, 'utf8')).trim()).toMatch(/^[\w-]{43}$/);
    expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
    expect(app.url).toMatch(/^http:\/\/localhost:\d+$/);
  });

  it('serves the API, health and metrics on the same port', async () => {
    expect((await fetch(`${app.url}/health/live`)).status).toBe(200);
    expect(await (await fetch(`${app.url}/health/ready`)).json()).toEqual({
      status: 'ok',
      database: 'up',
    });
    expect(await (await fetch(`${app.url}/metrics`)).text()).toContain('# TYPE');
    const openapi = await fetch(`${app.url}/openapi.json`);
    expect(((await openapi.json()) as { info: { title: string } }).info.title).toBe(
      'taskpulse demo API',
    );
    const docs = await fetch(`${app.url}/docs`);
    expect(docs.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect((await fetch(`${app.url}/docs/swagger-ui.css`)).status).toBe(200);
    const alice = await apiAs(app.url, 'demo-alice');
    expect(await alice.me.query()).toMatchObject({ id: 'demo-alice', name: 'Alice' });
    expect((await alice.dashboard.statistics.query()).total).toBeGreaterThan(0);
    const unauthenticated = await fetch(`${app.url}/trpc/me`);
    expect(unauthenticated.status).toBe(401);
  });

  it('serves /mcp to an agent with a token from the demo sign-in, on this machine only', async () => {
    const { token } = await demoSignIn(app.url, 'demo-alice');
    const agent = new Client({ name: 'readme-agent', version: '1.0.0' });
    await agent.connect(
      new StreamableHTTPClientTransport(new URL(`${app.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    const { tools } = await agent.listTools();
    expect(tools.map((tool) => tool.name)).toContain('get-dashboard');
    const me = await agent.callTool({ name: 'get-me', arguments: {} });
    expect(me.structuredContent).toMatchObject({ id: 'demo-alice', name: 'Alice' });
    const dashboard = await agent.callTool({
      name: 'get-dashboard',
      arguments: { figures: ['statistics'] },
    });
    const alice = await apiAs(app.url, 'demo-alice');
    expect(dashboard.structuredContent).toEqual({
      statistics: await alice.dashboard.statistics.query(),
    });
    await agent.close();

    const unauthenticated = await fetch(`${app.url}/mcp`, { method: 'POST' });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('www-authenticate')).toContain(
      `resource_metadata="${app.url}/.well-known/oauth-protected-resource/mcp"`,
    );
    expect((await fetch(`${app.url}/.well-known/oauth-protected-resource/mcp`)).status).toBe(200);
    // a page on another site that had its name pointed at this machine
    const rebound = await fetch(`${app.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        origin: 'http://evil.example.com',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    expect(rebound.status).toBe(403);
  });

  it('lists the demo users and signs in only them', async () => {
    const users = (await (await fetch(`${app.url}/demo/users`)).json()) as {
      users: { id: string; name: string }[];
    };
    expect(users.users.map((user) => user.name)).toEqual(['Alice', 'Bob', 'Charlie']);

    const session = await demoSignIn(app.url, 'demo-bob');
    expect(session).toMatchObject({ user: { id: 'demo-bob', name: 'Bob' } });

    const signIn = (body: string, contentType = 'application/json') =>
      fetch(`${app.url}/demo/sign-in`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
    const stranger = await signIn(JSON.stringify({ userId: 'mallory' }));
    expect(stranger.status).toBe(400);
    expect(await stranger.json()).toEqual({
      error: { message: 'Pick a demo user: demo-alice, demo-bob, demo-charlie.' },
    });
    expect((await signIn('{not json')).status).toBe(400);
    expect((await signIn('userId=demo-alice', 'application/x-www-form-urlencoded')).status).toBe(
      415,
    );
    expect((await signIn('x'.repeat(5_000))).status).toBe(400);
    expect((await fetch(`${app.url}/demo/sign-in`)).status).toBe(405);
  });

  it('accepts only demo tokens from its own issuer, for its own audience', async () => {
    const secret = new TextEncoder().encode(
      (await readFile(join(data.path, 'jwt-secret'), 'utf8')).trim(),
    );
    const sign = (issuer: string, audience: string) =>
      new SignJWT({ name: 'Alice' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('demo-alice')
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(secret);
    const me = async (token: string) =>
      (await fetch(`${app.url}/trpc/me`, { headers: { authorization: `Bearer ${token}` } })).status;
    expect(await me(await sign(DEMO_ISSUER, DEMO_AUDIENCE))).toBe(200);
    expect(await me(await sign('someone-else', DEMO_AUDIENCE))).toBe(401);
    expect(await me(await sign(DEMO_ISSUER, 'another-app'))).toBe(401);
  });

  it('serves the page with its security headers, hashed assets for a year, and nothing outside it', async () => {
    const page = await fetch(`${app.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html; ?charset=utf-8$/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>t</title>');

    const asset = await fetch(`${app.url}/assets/index-abc123.js`);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(asset.headers.get('cache-control')).toBe(IMMUTABLE_CACHE);
    expect(asset.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);

    const head = await fetch(`${app.url}/index.html`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    expect((await fetch(`${app.url}/nothing-here.js`)).status).toBe(404);
    expect((await fetch(`${app.url}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
    expect((await fetch(`${app.url}/assets/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${app.url}/%00`)).status).toBe(404);
    expect((await fetch(`${app.url}/`, { method: 'POST' })).status).toBe(405);
  });

  it('sends assets brotli- or gzip-compressed to browsers that accept it, as they are to others', async () => {
    const url = `${app.url}/assets/app-def456.js`;
    const br = await raw(url, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.status).toBe(200);
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(br.headers.get('vary')).toBe('Accept-Encoding');
    expect(br.headers.get('cache-control')).toBe(IMMUTABLE_CACHE);
    expect(br.body.length).toBeLessThan(SCRIPT.length / 2);
    expect(brotliDecompressSync(br.body).toString()).toBe(SCRIPT);

    const gzip = await raw(url, { 'accept-encoding': 'gzip' });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(SCRIPT);

    const identity = await raw(url, { 'accept-encoding': 'identity' });
    expect(identity.headers.get('content-encoding')).toBeNull();
    expect(identity.body.toString()).toBe(SCRIPT);
    const none = await raw(url);
    expect(none.headers.get('content-encoding')).toBeNull();
    expect(none.body.toString()).toBe(SCRIPT);
    expect(Number(none.headers.get('content-length'))).toBe(SCRIPT.length);
  });

  it('answers 304 to a revalidation with the ETag it gave, per encoding', async () => {
    for (const encoding of ['br', 'gzip', 'identity']) {
      for (const path of ['/', '/assets/app-def456.js']) {
        const first = await raw(`${app.url}${path}`, { 'accept-encoding': encoding });
        expect(first.status, `${path} ${encoding}`).toBe(200);
        const etag = first.headers.get('etag');
        expect(etag, `${path} ${encoding}`).toMatch(/^W\/".+"$/);
        const again = await raw(`${app.url}${path}`, {
          'accept-encoding': encoding,
          'if-none-match': etag ?? '',
        });
        expect(again.status, `${path} ${encoding}`).toBe(304);
        expect(again.body.length).toBe(0);
        expect(again.headers.get('cache-control')).toBe(
          path === '/' ? 'no-cache' : IMMUTABLE_CACHE,
        );
        expect(again.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
        const stale = await raw(`${app.url}${path}`, {
          'accept-encoding': encoding,
          'if-none-match': 'W/"1-1"',
        });
        expect(stale.status).toBe(200);
      }
    }
    // each encoding is a representation of its own, with an ETag of its own
    const tags = await Promise.all(
      ['br', 'gzip', 'identity'].map(async (encoding) =>
        (await raw(`${app.url}/assets/app-def456.js`, { 'accept-encoding': encoding })).headers.get(
          'etag',
        ),
      ),
    );
    expect(new Set(tags).size).toBe(3);
  });

  it('starts again on the same folder: no second seed, the same secret, old tokens still valid', async () => {
    const { token } = await demoSignIn(app.url, 'demo-alice');
    const before = await (await apiAs(app.url, 'demo-alice')).dashboard.statistics.query();
    await app.close();
    app = await startTestDashboard({ dataDir: data.path, webRoot: web.path });
    expect(app.seeded).toBe(false);
    expect(app.secretSource).toBe('file');
    const response = await fetch(`${app.url}/trpc/dashboard.statistics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { result: { data: unknown } }).result.data).toEqual(before);
  });

  it('says what to run when the page has not been built', async () => {
    const empty = await tempDir('taskpulse-dashboard-empty-');
    const other = await tempDir('taskpulse-dashboard-data2-');
    const bare = await startTestDashboard({
      dataDir: other.path,
      webRoot: empty.path,
      jwtSecret: 'a-secret-from-the-environment-0123456789',
    });
    try {
      expect(bare.secretSource).toBe('env');
      const response = await fetch(`${bare.url}/`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('pnpm demo');
    } finally {
      await bare.close();
      await empty.remove();
      await other.remove();
    }
  });
});
