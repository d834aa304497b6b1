/// <reference lib="dom" />
/**
 * Issue 20 (CORS): a web page served on one origin (http://127.0.0.1:A) calls the taskpulse API
 * on another (http://localhost:B) through `@taskpulse/client`, bundled for the page with vite,
 * in Debian's Chromium (playwright-core). Allowed: a query, a mutation, the live SSE stream, an
 * exposed header and `/mcp` work. Not allowed (no `cors`, or another origin listed): the browser
 * blocks the calls at the preflight, so that none reaches the API.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTaskpulse, type Taskpulse } from '@taskpulse/core';
import { taskpulseMcp } from '@taskpulse/mcp';
import {
  createTaskpulseServer,
  type TaskpulseCorsOptions,
  type TaskpulseServer,
} from '@taskpulse/trpc-server';
import { type Browser, chromium } from 'playwright-core';
import { build, defaultClientConditions } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable } from '../../packages/core/test/databases.ts';
import { signHs256, TEST_SECRET } from '../../packages/trpc-server/test/tokens.ts';
import type { CrossOriginReport } from './page/cross-origin.ts';

const here = dirname(fileURLToPath(import.meta.url));
const chromiumPath = process.env.TASKPULSE_CHROMIUM ?? '/usr/bin/chromium';
const browserPresent = existsSync(chromiumPath);
if (!browserPresent) {
  const reason = `Chromium is not at ${chromiumPath}`;
  if (process.env.TASKPULSE_REQUIRE_BROWSER === '1') throw new Error(reason);
  console.warn(`${reason}: skipping the cross-origin browser test.`);
}

/** Bundles the page's script with vite (from source, as a browser loads it) and serves it. */
async function startPage(): Promise<{ origin: string; close: () => Promise<void> }> {
  const outDir = await mkdtemp(join(tmpdir(), 'taskpulse-cross-origin-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    root: here,
    resolve: { conditions: ['@taskpulse/source', ...defaultClientConditions] },
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      lib: {
        entry: join(here, 'page', 'cross-origin.ts'),
        formats: ['iife'],
        name: 'crossOriginPage',
        fileName: () => 'page.js',
      },
    },
  });
  const script = await readFile(join(outDir, 'page.js'));
  await rm(outDir, { recursive: true, force: true });
  const server: Server = createServer((req, res) => {
    if (req.url === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>another origin</title><script src="/page.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(!postgresAvailable || !browserPresent)(
  'a page on another origin calls the API through @taskpulse/client [postgres, chromium]',
  () => {
    let tp: Taskpulse;
    let drop: () => Promise<void>;
    let page: Awaited<ReturnType<typeof startPage>>;
    let browser: Browser;
    const servers: TaskpulseServer[] = [];

    /** An API on localhost (another origin than the page's 127.0.0.1), with `/mcp`. */
    async function api(cors: TaskpulseCorsOptions | undefined): Promise<string> {
      const server = createTaskpulseServer({
        taskpulse: tp,
        auth: { secret: TEST_SECRET },
        ...(cors ? { cors } : {}),
        routes: [taskpulseMcp()],
      });
      servers.push(server);
      const { port } = await server.listen(0, '127.0.0.1');
      return `http://localhost:${port}`;
    }

    /** Opens the page in Chromium and runs its calls against `apiUrl` as `sub`. */
    async function runPage(apiUrl: string, sub: string) {
      const context = await browser.newContext();
      const tab = await context.newPage();
      const console: string[] = [];
      tab.on('console', (message) => console.push(message.text()));
      await tab.goto(`${page.origin}/`);
      const token = await signHs256({ sub, name: sub });
      const report = (await tab.evaluate(
        ([url, bearer]) => window.crossOrigin(url!, bearer!),
        [apiUrl, token],
      )) as CrossOriginReport;
      await context.close();
      return { report, console };
    }

    const usersNamed = async (sub: string) =>
      (await tp.fork().execute('select id from users where id = ?', [sub])).length;

    beforeAll(async () => {
      ({ drop } = await createTestDatabase().then(async (database) => {
        tp = await createTaskpulse({ database: { url: database.url }, migrate: true });
        return database;
      }));
      page = await startPage();
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      for (const server of servers) await server.close();
      await page?.close();
      await tp?.close();
      await drop?.();
    });

    it('works when the API allows the page’s origin: query, mutation, live SSE, exposed header, /mcp', async () => {
      const url = await api({ origin: [page.origin] });
      const { report, console } = await runPage(url, 'browser-allowed');
      globalThis.console.info(
        `cross-origin browser run, page ${page.origin} → API ${url} (allowed): ${JSON.stringify(report)}`,
      );
      expect(report.error, console.join('\n')).toBeUndefined();
      expect(report).toMatchObject({
        me: 'browser-allowed',
        createdTitle: 'from another origin',
        liveTotal: 1,
        mcpStatus: 200,
        mcpServerName: expect.any(String),
      });
      expect(report.requestIdHeader).toMatch(/\S/);
      expect(console.filter((line) => /CORS/i.test(line))).toEqual([]);
    });

    it.each([
      ['without a cors option (same origin only)', undefined],
      ['when another origin is listed', { origin: ['http://127.0.0.1:9'] }],
    ] as const)('is blocked by the browser %s, and no call reaches the API', async (_, cors) => {
      const url = await api(cors);
      const sub = `browser-blocked-${cors ? 'other' : 'none'}`;
      const { report, console } = await runPage(url, sub);
      globalThis.console.info(
        `cross-origin browser run, page ${page.origin} → API ${url} (${cors ? 'other origin listed' : 'no cors'}): ${JSON.stringify(report)}`,
      );
      expect(report.me).toBeUndefined();
      expect(report.error).toMatchObject({ name: 'TRPCClientError' });
      expect(report.error?.message).toMatch(/fetch/i);
      expect(console.some((line) => /blocked by CORS policy/.test(line))).toBe(true);
      // the preflight was refused, so the call itself was never sent: no user was provisioned
      expect(await usersNamed(sub)).toBe(0);
    });
  },
);
