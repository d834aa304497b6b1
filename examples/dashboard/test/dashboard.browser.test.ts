/**
 * The reference app in a real browser: Debian's Chromium driven by playwright-core, against
 * the app started on a temporary PGlite folder (the demo's default database) with the page
 * freshly built. Skipped with a printed reason when Chromium is absent, unless
 * TASKPULSE_REQUIRE_BROWSER=1.
 */
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { figureListFilters, type TimeWindow } from '@taskpulse/core';
import type { TaskpulseRouter } from '@taskpulse/trpc-server';
import type { TRPCClient } from '@trpc/client';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDashboard } from '../server/app.ts';
import {
  apiAs,
  browserAvailable,
  buildPage,
  CHROMIUM_ARGS,
  chromiumPath,
  packageDir,
  startTestDashboard,
  tempDir,
} from './support.ts';

type Api = TRPCClient<TaskpulseRouter>;

const available = browserAvailable();
const TIME_ZONE = 'Europe/Berlin';
const LOCALE = 'en-GB';
const count = new Intl.NumberFormat(LOCALE);
const percent = new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 0 });
const outputDir = join(packageDir, 'test', 'output');
const docsDir = join(packageDir, '..', '..', 'docs');

/** Every number the page shows, by its API name: the raw value and the text on screen. */
async function numbersOn(page: Page): Promise<Record<string, { value: number; text: string }>> {
  const rows = await page.$$eval('[data-figure]', (elements) =>
    elements.map((element) => [
      element.getAttribute('data-figure') ?? '',
      element.getAttribute('data-value') ?? '',
      (element.querySelector('.figure-value') ?? element).textContent ?? '',
    ]),
  );
  return Object.fromEntries(
    rows.map(([key, value, text]) => [key, { value: Number(value), text: (text ?? '').trim() }]),
  );
}

async function valuesOn(page: Page): Promise<Record<string, number>> {
  return Object.fromEntries(
    Object.entries(await numbersOn(page)).map(([key, { value }]) => [key, value]),
  );
}

async function figureOn(page: Page, key: string): Promise<number> {
  return Number(await page.locator(`[data-figure="${key}"]`).first().getAttribute('data-value'));
}

/** The page's time settings, which the API is asked with. */
async function timeSettings(page: Page): Promise<{ timeZone: string; weekStartsOn: number }> {
  const main = page.locator('main');
  return {
    timeZone: (await main.getAttribute('data-time-zone')) ?? '',
    weekStartsOn: Number(await main.getAttribute('data-week-starts-on')),
  };
}

/** Every figure the page shows, as the API computes it for the same user and time settings. */
async function figuresFromApi(
  api: Api,
  settings: { timeZone: string; weekStartsOn: number },
): Promise<{ figures: Record<string, number>; window: TimeWindow }> {
  const [statistics, activity, breakdown, shared, trend] = await Promise.all([
    api.dashboard.statistics.query(),
    api.dashboard.activity.query(settings),
    api.dashboard.breakdown.query(),
    api.dashboard.shared.query(),
    api.dashboard.trend.query({ days: 30, timeZone: settings.timeZone }),
  ]);
  // the page shows statistics.shared (live) rather than this copy of it
  expect(shared.totalShared).toBe(statistics.shared);
  const figures: Record<string, number> = {
    'activity.createdToday': activity.createdToday,
    'activity.completedToday': activity.completedToday,
    'activity.createdThisWeek': activity.createdThisWeek,
    'activity.completedThisWeek': activity.completedThisWeek,
    'activity.completionRate': activity.completionRate,
    'breakdown.total': breakdown.total,
    'breakdown.pending': breakdown.pending,
    'breakdown.completed': breakdown.completed,
    'breakdown.byPriority.low': breakdown.byPriority.low,
    'breakdown.byPriority.medium': breakdown.byPriority.medium,
    'breakdown.byPriority.high': breakdown.byPriority.high,
    'shared.viewOnly': shared.viewOnly,
    'shared.canEdit': shared.canEdit,
    'shared.sharedByMe': shared.sharedByMe,
  };
  for (const [name, value] of Object.entries(statistics)) figures[`statistics.${name}`] = value;
  for (const day of trend) {
    figures[`trend.${day.date}.created`] = day.created;
    figures[`trend.${day.date}.completed`] = day.completed;
  }
  return { figures, window: activity.window };
}

/** Waits until every number on the page equals the API's, and checks how each is written. */
async function expectPageMatchesApi(page: Page, api: Api): Promise<TimeWindow> {
  const settings = await timeSettings(page);
  const { figures, window } = await figuresFromApi(api, settings);
  await expect.poll(() => valuesOn(page), { timeout: 15_000 }).toEqual(figures);
  for (const [key, { value, text }] of Object.entries(await numbersOn(page))) {
    expect(text, key).toBe(key.endsWith('Rate') ? percent.format(value) : count.format(value));
  }
  return window;
}

/** Opens the list behind a figure and waits until it has loaded; returns the dialog. */
async function openList(page: Page, key: string) {
  await page.locator(`[data-figure="${key}"]`).first().click();
  const dialog = page.getByRole('dialog');
  await expect
    .poll(() => dialog.locator('.dialog-description').textContent(), { timeout: 15_000 })
    .toMatch(/^[\d,]+ tasks?, newest first\.$/);
  return dialog;
}

async function closeDialog(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
}

async function waitUntilLive(page: Page, timeout = 15_000): Promise<void> {
  await page.getByTestId('connection').filter({ hasText: /^Live/ }).waitFor({ timeout });
}

async function connectionOf(page: Page): Promise<string> {
  return ((await page.getByTestId('connection').textContent()) ?? '').trim();
}

describe.skipIf(!available)('the dashboard in Chromium', { timeout: 60_000 }, () => {
  let web: Awaited<ReturnType<typeof tempDir>>;
  let data: Awaited<ReturnType<typeof tempDir>>;
  let app: RunningDashboard;
  let browser: Browser;
  let alice: Page;
  let aliceApi: Api;
  /** Script errors and refused resources (CSP) seen on any page. */
  const problems: string[] = [];

  async function openAs(
    name: 'Alice' | 'Bob' | 'Charlie',
    viewport = { width: 1280, height: 900 },
  ): Promise<Page> {
    const context = await browser.newContext({ viewport, timezoneId: TIME_ZONE, locale: LOCALE });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) {
        problems.push(`${name}: ${message.text()}`);
      }
    });
    await page.goto(app.url);
    await page.getByRole('button', { name: new RegExp(`^Sign in as ${name}`) }).click();
    await waitUntilLive(page);
    return page;
  }

  beforeAll(async () => {
    web = await tempDir('taskpulse-dashboard-page-');
    await buildPage(web.path);
    data = await tempDir('taskpulse-dashboard-browser-');
    app = await startTestDashboard({ dataDir: data.path, webRoot: web.path });
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    aliceApi = await apiAs(app.url, 'demo-alice');
    alice = await openAs('Alice');
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await data?.remove();
    await web?.remove();
  });

  it('builds a page without server code', async () => {
    const assets = join(web.path, 'assets');
    const scripts = (await readdir(assets)).filter((file) => file.endsWith('.js'));
    const code = (
      await Promise.all(scripts.map((file) => readFile(join(assets, file), 'utf8')))
    ).join('\n');
    for (const serverOnly of [
      '@mikro-orm',
      'MikroORM',
      'kysely',
      'pglite',
      'pg-protocol',
      'prom-client',
      'pino',
      'jose',
      'ZodError',
      'countFiguresSql',
      'seedDemo',
    ]) {
      expect(code, serverOnly).not.toContain(serverOnly);
    }
    // …but core's figure definitions are there, as data
    expect(code).toMatch(/scope:`owned`|scope:"owned"/);
  });

  it('signs Alice in and shows every number exactly as the API computes it', async () => {
    expect(await alice.getByTestId('user-name').textContent()).toBe('Alice');
    const window = await expectPageMatchesApi(alice, aliceApi);
    // the activity window is the browser's zone, and the page shows the instants it used
    expect(window.timeZone).toBe(TIME_ZONE);
    expect(await alice.getByTestId('time-zone').textContent()).toBe(TIME_ZONE);
    const shown = await alice
      .locator('#activity-title ~ dl time')
      .evaluateAll((times) => times.map((time) => time.getAttribute('datetime')));
    expect(shown).toEqual([window.today.from, window.today.to, window.week.from, window.week.to]);
  });

  it('opens the list behind a number: exactly the tasks it counts', async () => {
    const { window } = await figuresFromApi(aliceApi, await timeSettings(alice));
    for (const key of [
      'statistics.pending',
      'statistics.overdue',
      'statistics.shared',
      'activity.createdThisWeek',
      'activity.completedToday',
      'breakdown.byPriority.high',
      'shared.viewOnly',
      'shared.sharedByMe',
    ] as const) {
      const shown = await figureOn(alice, key);
      const dialog = await openList(alice, key);
      const ids = await dialog
        .locator('li.task')
        .evaluateAll((items) => items.map((item) => item.getAttribute('data-task-id')));
      expect(ids, key).toHaveLength(shown);
      const filter = figureListFilters(window)[key];
      const listed = await aliceApi.tasks.list.query({ ...filter, limit: 100 });
      expect(ids, key).toEqual(listed.items.map((task) => task.id));
      await closeDialog(alice);
    }
  });

  it('completes and reopens a task, and the figures follow without a reload', async () => {
    await alice.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    const before = await valuesOn(alice);
    const dialog = await openList(alice, 'statistics.pending');
    const first = dialog.locator('li.task').first();
    const title = ((await first.locator('.task-title').textContent()) ?? '').trim();
    const id = await first.getAttribute('data-task-id');
    await first.getByRole('button', { name: /^Complete/ }).click();
    await expect.poll(() => alice.locator('.toast').textContent()).toBe(`Completed “${title}”.`);
    await closeDialog(alice);

    const change = {
      'statistics.pending': -1,
      'statistics.completed': 1,
      'activity.completedToday': 1,
      'activity.completedThisWeek': 1,
      'breakdown.pending': -1,
      'breakdown.completed': 1,
    } as const;
    for (const [key, delta] of Object.entries(change)) {
      await expect.poll(() => figureOn(alice, key), { message: key }).toBe(before[key]! + delta);
    }
    await expectPageMatchesApi(alice, aliceApi);

    const completed = await openList(alice, 'statistics.completed');
    await completed
      .locator(`li.task[data-task-id="${id}"]`)
      .getByRole('button', { name: /^Reopen/ })
      .click();
    await expect.poll(() => alice.locator('.toast').textContent()).toBe(`Reopened “${title}”.`);
    await closeDialog(alice);
    await expect
      .poll(() => figureOn(alice, 'statistics.pending'))
      .toBe(before['statistics.pending']);
    await expectPageMatchesApi(alice, aliceApi);
    expect(
      await alice.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
    ).toBe(true);
  });

  it('follows a write made elsewhere, through dashboard.live', async () => {
    const total = await figureOn(alice, 'statistics.total');
    const createdToday = await figureOn(alice, 'activity.createdToday');
    await aliceApi.tasks.create.mutate({ title: 'Written through the API', priority: 'low' });
    await expect.poll(() => figureOn(alice, 'statistics.total')).toBe(total + 1);
    await expect.poll(() => figureOn(alice, 'activity.createdToday')).toBe(createdToday + 1);
    await expectPageMatchesApi(alice, aliceApi);
  });

  it('adds a task and edits it', async () => {
    const high = await figureOn(alice, 'breakdown.byPriority.high');
    await alice.getByRole('button', { name: 'New task' }).click();
    const form = alice.getByRole('dialog', { name: 'New task' });
    await form.getByLabel('Title', { exact: true }).fill('Plan the browser test');
    await form.getByLabel('Priority').selectOption('high');
    await form.getByRole('button', { name: 'Add task' }).click();
    await expect
      .poll(() => alice.locator('.toast').textContent())
      .toBe('Added “Plan the browser test”.');
    await expect.poll(() => figureOn(alice, 'breakdown.byPriority.high')).toBe(high + 1);

    const list = await openList(alice, 'activity.createdToday');
    await list
      .locator('li.task', { hasText: 'Plan the browser test' })
      .getByRole('button', { name: /^Edit/ })
      .click();
    const edit = alice.getByRole('dialog', { name: 'Edit task' });
    await edit.getByLabel('Title', { exact: true }).fill('Plan the browser test, edited');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => alice.locator('.toast').textContent())
      .toBe('Saved “Plan the browser test, edited”.');
    await expect
      .poll(() => list.locator('li.task .task-title').allTextContents())
      .toContain('Plan the browser test, edited');
    await closeDialog(alice);
    await expectPageMatchesApi(alice, aliceApi);
  });

  it("shares a task with Bob, and Bob's page counts it at once", async () => {
    const bob = await openAs('Bob');
    const bobApi = await apiAs(app.url, 'demo-bob');
    await expectPageMatchesApi(bob, bobApi);
    const bobShared = await figureOn(bob, 'statistics.shared');
    const bobCanEdit = await figureOn(bob, 'shared.canEdit');
    const sharedByAlice = await figureOn(alice, 'shared.sharedByMe');

    const list = await openList(alice, 'activity.createdToday');
    await list
      .locator('li.task', { hasText: 'Plan the browser test, edited' })
      .getByRole('button', { name: /^Share/ })
      .click();
    const share = alice.getByRole('dialog', { name: 'Share “Plan the browser test, edited”' });
    await share.getByLabel('Share with', { exact: true }).selectOption({ label: 'Bob' });
    await share.getByLabel('view and edit it').check();
    await share.getByRole('button', { name: 'Share', exact: true }).click();
    await expect
      .poll(() => alice.locator('.toast').textContent())
      .toBe('Shared “Plan the browser test, edited” with Bob (edit).');
    await expect
      .poll(() => share.getByRole('list', { name: 'Shared with' }).textContent())
      .toContain('Bob');
    await alice.keyboard.press('Escape');
    await closeDialog(alice);

    // Bob did nothing: his figures come from the live stream
    await expect.poll(() => figureOn(bob, 'statistics.shared')).toBe(bobShared + 1);
    await expect.poll(() => figureOn(bob, 'shared.canEdit')).toBe(bobCanEdit + 1);
    await expect.poll(() => figureOn(alice, 'shared.sharedByMe')).toBe(sharedByAlice + 1);
    await expectPageMatchesApi(bob, bobApi);

    const bobList = await openList(bob, 'shared.canEdit');
    const item = bobList.locator('li.task', { hasText: 'Plan the browser test, edited' });
    expect(await item.textContent()).toContain('shared with me to edit');
    await closeDialog(bob);
    await bob.context().close();
  });

  it('lays the figures out in four columns on a desktop and one on a phone; saves screenshots', async () => {
    const columns = (page: Page) =>
      page
        .getByTestId('cards')
        .evaluate((grid) => getComputedStyle(grid).gridTemplateColumns.split(' ').length);
    await alice.reload();
    await waitUntilLive(alice);
    await expect.poll(() => alice.locator('.chart svg.chart-svg').count()).toBe(3);
    expect(await columns(alice)).toBe(4);

    const phone = await openAs('Alice', { width: 390, height: 844 });
    await expect.poll(() => phone.locator('.chart svg.chart-svg').count()).toBe(3);
    expect(await columns(phone)).toBe(1);
    const overflow = await phone.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    );
    expect(overflow, 'the phone layout scrolls sideways').toBe(false);

    await mkdir(outputDir, { recursive: true });
    const shots = {
      'dashboard.png': await alice.screenshot({ fullPage: true }),
      'dashboard-phone.png': await phone.screenshot({ fullPage: true }),
    };
    await phone.context().close();
    for (const [file, image] of Object.entries(shots)) {
      await writeFile(join(outputDir, file), image);
      if (process.env.TASKPULSE_UPDATE_SCREENSHOTS === '1') {
        await mkdir(docsDir, { recursive: true });
        await copyFile(join(outputDir, file), join(docsDir, file));
      }
    }
    console.info(
      `screenshots: ${outputDir}${process.env.TASKPULSE_UPDATE_SCREENSHOTS === '1' ? `, copied to ${docsDir}` : ' (TASKPULSE_UPDATE_SCREENSHOTS=1 also refreshes docs/)'}`,
    );
  });

  it('has no accessibility violations (axe-core, WCAG 2.1 A and AA)', async () => {
    // evaluated through the DevTools protocol: the page's CSP refuses inline scripts
    const axe = await readFile(
      createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
      'utf8',
    );
    const audit = async (page: Page) => {
      await page.evaluate(axe);
      return page.evaluate(async () => {
        const result = await (
          window as unknown as {
            axe: {
              run: (
                context: Document,
                options: object,
              ) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }>;
            };
          }
        ).axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        });
        return result.violations.map(
          (violation) =>
            `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
        );
      });
    };
    // the trend table is audited too
    await alice.locator('.trend-table summary').click();
    expect(await audit(alice)).toEqual([]);
    await openList(alice, 'statistics.total');
    expect(await audit(alice)).toEqual([]);
    await closeDialog(alice);

    const signIn = await browser.newPage();
    await signIn.goto(app.url);
    await signIn.getByRole('button', { name: /^Sign in as Alice/ }).waitFor();
    expect(await audit(signIn)).toEqual([]);
    await signIn.close();
  });

  it("downloads Charlie's data, deletes his account after a confirmation, and Alice's live figures follow", async () => {
    const charlie = await openAs('Charlie');
    const charlieApi = await apiAs(app.url, 'demo-charlie');
    const total = await figureOn(charlie, 'statistics.total');
    const [download] = await Promise.all([
      charlie.waitForEvent('download'),
      charlie.getByRole('button', { name: 'Download my data' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      /^taskpulse-export-demo-charlie-\d{4}-\d{2}-\d{2}\.ndjson$/,
    );
    const path = await download.path();
    const records = (await readFile(path, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; id?: string });
    expect(records[0]).toMatchObject({ type: 'user', id: 'demo-charlie' });
    expect(records.filter((record) => record.type === 'task')).toHaveLength(total);

    await charlie.getByRole('button', { name: 'Delete my account' }).click();
    const dialog = charlie.getByRole('dialog', { name: 'Delete my account' });
    const confirm = dialog.getByRole('button', { name: 'Delete my account' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('I understand that this cannot be undone').check();
    await confirm.click();
    await charlie.getByRole('button', { name: /^Sign in as Alice/ }).waitFor();
    expect(await charlie.textContent('body')).toContain('account was deleted');
    // the same token on the next call: a new, empty account
    expect((await charlieApi.me.query()).id).toBe('demo-charlie');
    expect((await charlieApi.dashboard.statistics.query()).total).toBe(0);
    // Alice did nothing: whatever Charlie shared with her or received from her is gone from her page
    await expectPageMatchesApi(alice, aliceApi);
    await charlie.context().close();
  });

  it('ran without script errors or refused resources', () => {
    expect(problems).toEqual([]);
  });

  it('shows the live connection dropping when the server stops, and recovers by itself', async () => {
    const total = await figureOn(alice, 'statistics.total');
    const port = app.port;
    await app.close();
    await expect
      .poll(() => connectionOf(alice), { timeout: 15_000 })
      .toMatch(/^(Reconnecting|Offline|Connecting)/);
    app = await startTestDashboard({ dataDir: data.path, webRoot: web.path, port });
    await waitUntilLive(alice, 45_000);
    // and the stream works again: a write shows without a reload
    await aliceApi.tasks.create.mutate({ title: 'Written after the restart' });
    await expect.poll(() => figureOn(alice, 'statistics.total')).toBe(total + 1);
  });
});
