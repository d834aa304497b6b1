/**
 * The API reference page of the reference app in Chromium: Swagger UI served by the app itself
 * under its Content-Security-Policy (no CDN, no refused script, style or image), every
 * procedure listed, and "Try it out" calling the API with a demo user's token.
 */
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDashboard } from '../server/app.ts';
import {
  browserAvailable,
  CHROMIUM_ARGS,
  chromiumPath,
  demoSignIn,
  startTestDashboard,
  tempDir,
} from './support.ts';

const available = browserAvailable();

describe.skipIf(!available)('the API reference page in Chromium', { timeout: 60_000 }, () => {
  let data: Awaited<ReturnType<typeof tempDir>>;
  let web: Awaited<ReturnType<typeof tempDir>>;
  let app: RunningDashboard;
  let browser: Browser;
  beforeAll(async () => {
    data = await tempDir('taskpulse-docs-data-');
    web = await tempDir('taskpulse-docs-web-');
    app = await startTestDashboard({ dataDir: data.path, webRoot: web.path });
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await data?.remove();
    await web?.remove();
  });

  it('shows every operation under its CSP, fetches nothing elsewhere, and calls the API', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const elsewhere: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 401/.test(message.text())) {
        problems.push(`console: ${message.text()}`);
      }
    });
    page.on('request', (request) => {
      if (!request.url().startsWith(app.url)) elsewhere.push(request.url());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) =>
        console.error(`CSP refused ${event.violatedDirective}: ${event.blockedURI}`),
      );
    });

    const response = await page.goto(`${app.url}/docs`);
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await page.waitForSelector('.opblock');
    const spec = (await (await fetch(`${app.url}/openapi.json`)).json()) as {
      info: { title: string };
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.values(spec.paths).reduce(
      (sum, item) => sum + Object.keys(item).length,
      0,
    );
    expect(await page.locator('.opblock').count()).toBe(operations);
    expect(spec.info.title).toBe('taskpulse demo API');
    await expect
      .poll(() => page.locator('.info .title').first().textContent())
      .toContain(spec.info.title);

    // Authorize with a demo token, then "Try it out" on dashboard.statistics
    const { token } = await demoSignIn(app.url, 'demo-alice');
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    await page.locator('.auth-container input').fill(token);
    await page.locator('.auth-btn-wrapper button.authorize').click();
    await page.getByRole('button', { name: 'Close' }).click();
    const statistics = page.locator('.opblock', { hasText: '/trpc/dashboard.statistics' });
    await statistics.locator('.opblock-summary').click();
    await statistics.getByRole('button', { name: 'Try it out' }).click();
    await statistics.getByRole('button', { name: 'Execute' }).click();
    const status = statistics.locator('.live-responses-table tbody .response-col_status').first();
    await expect.poll(() => status.textContent()).toMatch(/200/);
    const body = await statistics
      .locator('.live-responses-table tbody .microlight')
      .first()
      .textContent();
    expect(JSON.parse(body ?? '')).toMatchObject({
      result: { data: { total: expect.any(Number) } },
    });

    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]);
    await page.screenshot({ path: `${data.path}/docs.png` });
  });
});
