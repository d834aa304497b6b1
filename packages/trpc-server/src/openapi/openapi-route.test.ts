/**
 * `/openapi.json` and `/docs` as built-in routes of both servers: on by default, paths
 * configurable, off by option, the page's files from swagger-ui-dist with their caching and
 * security headers.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../core/test/databases.ts';
import { captureLogs } from '../../test/logs.ts';
import { TEST_SECRET } from '../../test/tokens.ts';
import {
  createTaskpulseFetchHandler,
  createTaskpulseServer,
  type TaskpulseServer,
  type TaskpulseServerOptions,
} from '../index.ts';
import { DOCS_CONTENT_SECURITY_POLICY } from './openapi-route.ts';

const swaggerUi = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

describe('the OpenAPI routes', () => {
  const db = useTestDatabase('pglite');
  const logs = captureLogs();
  const servers: TaskpulseServer[] = [];
  const start = async (options: Partial<TaskpulseServerOptions> = {}) => {
    const server = createTaskpulseServer({
      taskpulse: db.tp,
      auth: { secret: TEST_SECRET },
      logger: logs.logger,
      rateLimit: false,
      ...options,
    } as TaskpulseServerOptions);
    servers.push(server);
    return (await server.listen(0, '127.0.0.1')).url;
  };
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  describe('by default', () => {
    let url: string;
    beforeAll(async () => {
      url = await start();
    });

    it('serves the document at /openapi.json, revalidated by ETag', async () => {
      const response = await fetch(`${url}/openapi.json`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('x-request-id')).toBeTruthy();
      const document = (await response.json()) as { openapi: string; info: { title: string } };
      expect(document).toMatchObject({ openapi: '3.1.0', info: { title: 'taskpulse API' } });
      const etag = response.headers.get('etag')!;
      const again = await fetch(`${url}/openapi.json`, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
      expect((await fetch(`${url}/openapi.json`, { method: 'POST' })).status).toBe(405);
    });

    it('serves the reference page with its own Content-Security-Policy, and no CDN', async () => {
      const page = await fetch(`${url}/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=UTF-8');
      expect(page.headers.get('content-security-policy')).toBe(DOCS_CONTENT_SECURITY_POLICY);
      expect(DOCS_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
      expect(DOCS_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|https?:/);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      const html = await page.text();
      // relative URLs, so that the page also works behind a proxy that adds a path prefix
      expect(html).toContain('data-openapi-url="openapi.json"');
      const scripts = [...html.matchAll(/<script src="([^"]+)"><\/script>/g)].map((m) => m[1]);
      expect(scripts).toEqual(['docs/swagger-ui-bundle.js', 'docs/swagger-ui-init.js']);
      expect(html).not.toMatch(/<script>|<style|https?:\/\//);
      for (const script of scripts) {
        const asset = await fetch(`${url}/${script}`);
        expect([script, asset.status]).toEqual([script, 200]);
        expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      }
    });

    it('serves Swagger UI from the swagger-ui-dist package: gzipped, cached, revalidated', async () => {
      const css = await fetch(`${url}/docs/swagger-ui.css`, {
        headers: { 'accept-encoding': 'identity' },
      });
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect(css.headers.get('cache-control')).toBe('public, max-age=86400');
      expect(await css.text()).toBe(await readFile(join(swaggerUi, 'swagger-ui.css'), 'utf8'));

      const bundle = await fetch(`${url}/docs/swagger-ui-bundle.js`, {
        headers: { 'accept-encoding': 'gzip' },
      });
      expect(bundle.headers.get('content-encoding')).toBe('gzip');
      expect(await bundle.text()).toBe(
        await readFile(join(swaggerUi, 'swagger-ui-bundle.js'), 'utf8'),
      );
      const cached = await fetch(`${url}/docs/swagger-ui-bundle.js`, {
        headers: { 'if-none-match': bundle.headers.get('etag')! },
      });
      expect(cached.status).toBe(304);
    });
  });

  it('serves both where the options say, or the document alone, or neither', async () => {
    const moved = await start({ openapi: { path: '/api/openapi.json', docsPath: '/api/docs' } });
    expect((await fetch(`${moved}/api/openapi.json`)).status).toBe(200);
    const page = await (await fetch(`${moved}/api/docs`)).text();
    expect(page).toContain('data-openapi-url="openapi.json"');
    expect(page).toContain('<script src="docs/swagger-ui-bundle.js">');
    expect((await fetch(`${moved}/api/docs/swagger-ui-bundle.js`)).status).toBe(200);
    expect((await fetch(`${moved}/openapi.json`)).status).toBe(404);

    const documentOnly = await start({
      openapi: { docsPath: false, info: { title: 'Tasks <&>' } },
    });
    const document = (await (await fetch(`${documentOnly}/openapi.json`)).json()) as {
      info: { title: string };
    };
    expect(document.info.title).toBe('Tasks <&>');
    expect((await fetch(`${documentOnly}/docs`)).status).toBe(404);

    const neither = await start({ openapi: false });
    expect((await fetch(`${neither}/openapi.json`)).status).toBe(404);
    expect((await fetch(`${neither}/docs`)).status).toBe(404);
  });

  it('escapes the title on the page', async () => {
    const url = await start({ openapi: { info: { title: '<script>alert(1)</script>' } } });
    const page = await (await fetch(`${url}/docs`)).text();
    expect(page).toContain('<title>&lt;script&gt;alert(1)&lt;/script&gt; — API reference</title>');
  });

  it('refuses a path that something else answers, or that is not a path', () => {
    const options = { taskpulse: db.tp, auth: { secret: TEST_SECRET } };
    expect(() => createTaskpulseServer({ ...options, openapi: { path: '/metrics' } })).toThrow(
      /\/metrics is answered twice/,
    );
    expect(() => createTaskpulseServer({ ...options, openapi: { docsPath: 'docs' } })).toThrow(
      /Invalid HTTP option openapi.docsPath/,
    );
  });

  it('serves both from the fetch handler too', async () => {
    const handler = createTaskpulseFetchHandler({
      taskpulse: db.tp,
      auth: { secret: TEST_SECRET },
      logger: logs.logger,
    });
    try {
      const document = await handler(new Request('http://api.test/openapi.json'));
      expect(document.status).toBe(200);
      expect(((await document.json()) as { openapi: string }).openapi).toBe('3.1.0');
      const page = await handler(new Request('http://api.test/docs'));
      expect(page.headers.get('content-security-policy')).toBe(DOCS_CONTENT_SECURITY_POLICY);
      const init = await handler(new Request('http://api.test/docs/swagger-ui-init.js'));
      expect(await init.text()).toContain('SwaggerUIBundle(');
    } finally {
      await handler.close();
    }
  });
});
