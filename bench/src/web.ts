/**
 * `pnpm bench:web`: Lighthouse (npm `lighthouse`) on the signed-in reference dashboard, in
 * Debian's Chromium, with the desktop and the mobile preset (Lighthouse's simulated
 * throttling), several runs each; writes the median of every figure to bench/web-results.json
 * and bench/WEB-RESULTS.md, beside the figures of bench/web-baseline.json (before → after).
 *
 * By default it builds the page of this checkout and starts the app as `pnpm demo` does, on a
 * temporary PGlite folder with the demo data. Options:
 *   --url <http://…>   measure an app that is already running (e.g. another checkout's `pnpm demo`)
 *   --runs <n>         runs per preset (default 5)
 *   --baseline         write bench/web-baseline.json instead (the "before" of WEB-RESULTS.md)
 *   --label <text>     what was measured, for the report (default: this checkout's commit)
 *   --report           only write WEB-RESULTS.md again from the two JSON files
 * `TASKPULSE_CHROMIUM` points to another Chromium than /usr/bin/chromium.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import lighthouse, { desktopConfig, type Flags, type Result } from 'lighthouse';
import puppeteer, { type Browser } from 'puppeteer-core';
import { startDashboard } from '../../examples/dashboard/server/app.ts';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const dashboardDir = join(benchDir, '..', 'examples', 'dashboard');
const chromiumPath = process.env.TASKPULSE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The figures of one run (or their medians). Times in ms, bytes as transferred. */
export interface WebFigures {
  performance: number;
  accessibility: number;
  bestPractices: number;
  fcp: number;
  lcp: number;
  tbt: number;
  cls: number;
  si: number;
  tti: number;
  bytes: number;
}

export interface WebPreset {
  median: WebFigures;
  runs: WebFigures[];
}

export interface WebResults {
  label: string;
  measuredAt: string;
  lighthouse: string;
  chromium: string;
  runsPerPreset: number;
  desktop: WebPreset;
  mobile: WebPreset;
}

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    runs: { type: 'string', default: '5' },
    baseline: { type: 'boolean', default: false },
    label: { type: 'string' },
    report: { type: 'boolean', default: false },
  },
});
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) {
  throw new Error(`--runs must be a whole number of runs, at least 1 (got ${args.runs}).`);
}

const run = promisify(execFile);

async function buildPage(outDir: string): Promise<void> {
  const vite = join(
    dirname(createRequire(join(dashboardDir, 'package.json')).resolve('vite/package.json')),
    'bin',
    'vite.js',
  );
  const { NODE_ENV: _, ...env } = process.env;
  await run(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir'], {
    cwd: dashboardDir,
    env,
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function figuresOf(lhr: Result): WebFigures {
  const audit = (id: string) => {
    const value = lhr.audits[id]?.numericValue;
    if (typeof value !== 'number') throw new Error(`Lighthouse gave no ${id}.`);
    return value;
  };
  const score = (id: string) => {
    const value = lhr.categories[id]?.score;
    if (typeof value !== 'number') throw new Error(`Lighthouse gave no ${id} score.`);
    return value;
  };
  return {
    performance: score('performance'),
    accessibility: score('accessibility'),
    bestPractices: score('best-practices'),
    fcp: audit('first-contentful-paint'),
    lcp: audit('largest-contentful-paint'),
    tbt: audit('total-blocking-time'),
    cls: audit('cumulative-layout-shift'),
    si: audit('speed-index'),
    tti: audit('interactive'),
    bytes: audit('total-byte-weight'),
  };
}

/**
 * One Lighthouse navigation of the signed-in dashboard: a fresh tab signs in as Alice by
 * clicking, as a person would (the demo session is kept in the tab's sessionStorage), then the
 * browser's cache is emptied and Lighthouse loads the page again, keeping that storage.
 */
async function measureOnce(
  browser: Browser,
  url: string,
  preset: 'desktop' | 'mobile',
): Promise<WebFigures> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    const signIn = await page.waitForSelector('button.user ::-p-text(Sign in as Alice)');
    await signIn?.click();
    await page.waitForSelector('[data-testid="user-name"]');
    const cdp = await page.createCDPSession();
    await cdp.send('Network.clearBrowserCache');
    await cdp.detach();
    const flags: Flags = { disableStorageReset: true, logLevel: 'error' };
    const result = await lighthouse(
      url,
      flags,
      preset === 'desktop' ? desktopConfig : undefined,
      page as never,
    );
    if (!result) throw new Error('Lighthouse returned no result.');
    const { lhr } = result;
    if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.message}`);
    // the page Lighthouse measured is the dashboard, not the sign-in
    const signedIn = await page.$('[data-testid="user-name"]');
    if (!signedIn) throw new Error('The measured page was not the signed-in dashboard.');
    return figuresOf(lhr);
  } finally {
    await context.close();
  }
}

async function measure(url: string): Promise<Omit<WebResults, 'label'>> {
  const browser = await puppeteer.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  try {
    const results: Partial<Record<'desktop' | 'mobile', WebPreset>> = {};
    for (const preset of ['desktop', 'mobile'] as const) {
      const all: WebFigures[] = [];
      for (let i = 0; i < runs; i++) {
        const figures = await measureOnce(browser, url, preset);
        console.log(
          `${preset} run ${i + 1}/${runs}: performance ${figures.performance.toFixed(2)}, LCP ${figures.lcp.toFixed(0)} ms, CLS ${figures.cls.toFixed(3)}, ${(figures.bytes / 1024).toFixed(0)} KiB`,
        );
        all.push(figures);
      }
      const keys = Object.keys(all[0]!) as (keyof WebFigures)[];
      results[preset] = {
        median: Object.fromEntries(
          keys.map((key) => [key, median(all.map((figures) => figures[key]))]),
        ) as unknown as WebFigures,
        runs: all,
      };
    }
    const { version } = JSON.parse(
      await readFile(createRequire(import.meta.url).resolve('lighthouse/package.json'), 'utf8'),
    ) as { version: string };
    return {
      measuredAt: new Date().toISOString(),
      lighthouse: version,
      chromium: await browser.version(),
      runsPerPreset: runs,
      desktop: results.desktop!,
      mobile: results.mobile!,
    };
  } finally {
    await browser.close();
  }
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = (value: number) => `${Math.round(value)} ms`;
const ROWS: [string, keyof WebFigures, (value: number) => string][] = [
  ['Performance', 'performance', (value) => value.toFixed(2)],
  ['Accessibility', 'accessibility', (value) => value.toFixed(2)],
  ['Best practices', 'bestPractices', (value) => value.toFixed(2)],
  ['First contentful paint', 'fcp', ms],
  ['Largest contentful paint', 'lcp', ms],
  ['Total blocking time', 'tbt', ms],
  ['Cumulative layout shift', 'cls', (value) => value.toFixed(3)],
  ['Speed index', 'si', ms],
  ['Time to interactive', 'tti', ms],
  ['Transferred', 'bytes', kib],
];

/** The targets of the dashboard's page (issue 19), checked against the medians. */
function targets(results: WebResults): [string, boolean][] {
  const { desktop, mobile } = results;
  return [
    ['performance ≥ 0.95 on desktop', desktop.median.performance >= 0.95],
    ['performance ≥ 0.90 on mobile', mobile.median.performance >= 0.9],
    [
      'accessibility 1.00 on both',
      desktop.median.accessibility === 1 && mobile.median.accessibility === 1,
    ],
    [
      'best practices 1.00 on both',
      desktop.median.bestPractices === 1 && mobile.median.bestPractices === 1,
    ],
    [
      'cumulative layout shift ≤ 0.02 on both',
      desktop.median.cls <= 0.02 && mobile.median.cls <= 0.02,
    ],
  ];
}

function report(results: WebResults, baseline: WebResults | undefined): string {
  const lines = [
    '# Web results (`pnpm bench:web`)',
    '',
    `Lighthouse ${results.lighthouse} on the signed-in reference dashboard (the demo data, as Alice), in ${results.chromium} (${chromiumPath}), headless; simulated throttling of each preset; the median of ${results.runsPerPreset} runs per preset, each figure on its own. Measured ${results.measuredAt} on a shared 2-core machine: scores move a few hundredths between runs.`,
    '',
    baseline
      ? `Before: ${baseline.label} (measured ${baseline.measuredAt}, ${baseline.runsPerPreset} runs per preset). After: ${results.label}.`
      : `Measured: ${results.label}. (No bench/web-baseline.json to compare with.)`,
    '',
  ];
  for (const preset of ['desktop', 'mobile'] as const) {
    lines.push(`## ${preset === 'desktop' ? 'Desktop' : 'Mobile'} preset`, '');
    if (baseline) {
      lines.push('| figure | before | after |', '| --- | ---: | ---: |');
      for (const [name, key, format] of ROWS) {
        lines.push(
          `| ${name} | ${format(baseline[preset].median[key])} | ${format(results[preset].median[key])} |`,
        );
      }
    } else {
      lines.push('| figure | median |', '| --- | ---: |');
      for (const [name, key, format] of ROWS) {
        lines.push(`| ${name} | ${format(results[preset].median[key])} |`);
      }
    }
    const largest = (results: WebResults) =>
      kib(Math.max(...results[preset].runs.map((figures) => figures.bytes)));
    lines.push(
      baseline
        ? `| Transferred, largest run | ${largest(baseline)} | ${largest(results)} |`
        : `| Transferred, largest run | ${largest(results)} |`,
      '',
    );
  }
  lines.push(
    'Transferred counts what the page had requested when Lighthouse ended its trace. A chunk the page asks for late (before: the charts, requested once the figures had arrived) is missed by runs that end first, hence the largest run beside the median.',
    '',
  );
  lines.push('## Targets', '');
  for (const [target, met] of targets(results)) lines.push(`- ${met ? '✓' : '✗'} ${target}`);
  lines.push(
    '',
    'Every run is in web-results.json. Run it again with `pnpm bench:web` (see the root README, Benchmarks).',
    '',
  );
  return lines.join('\n');
}

async function commitLabel(): Promise<string> {
  try {
    const { stdout } = await run('git', ['log', '-1', '--format=%h %s'], { cwd: benchDir });
    return `commit ${stdout.trim().slice(0, 90)}`;
  } catch {
    return 'this checkout';
  }
}

async function readResults(file: string): Promise<WebResults | undefined> {
  return readFile(join(benchDir, file), 'utf8').then(
    (text) => JSON.parse(text) as WebResults,
    () => undefined,
  );
}

if (args.report) {
  const results = await readResults('web-results.json');
  if (!results) throw new Error('There is no bench/web-results.json: run `pnpm bench:web` first.');
  await writeFile(
    join(benchDir, 'WEB-RESULTS.md'),
    report(results, await readResults('web-baseline.json')),
  );
  console.log('Wrote bench/WEB-RESULTS.md.');
  process.exit(0);
}

let url = args.url;
let stop: (() => Promise<void>) | undefined;
if (!url) {
  const work = await mkdtemp(join(tmpdir(), 'taskpulse-bench-web-'));
  console.log('Building the page…');
  await buildPage(join(work, 'dist'));
  const app = await startDashboard({
    port: 0,
    dataDir: join(work, 'data'),
    webRoot: join(work, 'dist'),
  });
  url = app.url;
  stop = async () => {
    await app.close();
    await rm(work, { recursive: true, force: true });
  };
}
try {
  console.log(`Measuring ${url} with Lighthouse, ${runs} runs per preset…`);
  const results: WebResults = {
    label: args.label ?? (await commitLabel()),
    ...(await measure(url)),
  };
  if (args.baseline) {
    await writeFile(join(benchDir, 'web-baseline.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('Wrote bench/web-baseline.json.');
  } else {
    const baseline = await readResults('web-baseline.json');
    await writeFile(join(benchDir, 'web-results.json'), `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(join(benchDir, 'WEB-RESULTS.md'), report(results, baseline));
    console.log('Wrote bench/WEB-RESULTS.md and bench/web-results.json.');
    for (const [target, met] of targets(results)) console.log(`${met ? '✓' : '✗'} ${target}`);
  }
} finally {
  await stop?.();
}
