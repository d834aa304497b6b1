/**
 * The size budget of the page (size-limit, configured in package.json as `pnpm size` runs it):
 * the JavaScript the page needs before its first paint, brotli-compressed as it is sent.
 * The page is built here as `pnpm demo` builds it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import filePlugin from '@size-limit/file';
import sizeLimit from 'size-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPage, packageDir, tempDir } from './support.ts';

interface SizeLimitCheck {
  name: string;
  path: string;
  limit: string;
}

const UNITS: Record<string, number> = { B: 1, kB: 1000, KiB: 1024, MB: 1000_000 };

function bytes(limit: string): number {
  const match = /^(\d+(?:\.\d+)?) (B|kB|KiB|MB)$/.exec(limit);
  if (!match) throw new Error(`Cannot read the size limit "${limit}".`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

describe('the page size budget', { timeout: 120_000 }, () => {
  let web: Awaited<ReturnType<typeof tempDir>>;
  let html: string;
  let check: SizeLimitCheck;

  beforeAll(async () => {
    web = await tempDir('taskpulse-dashboard-size-');
    await buildPage(web.path);
    html = await readFile(join(web.path, 'index.html'), 'utf8');
    const pkg = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as {
      'size-limit': SizeLimitCheck[];
    };
    check = pkg['size-limit'][0]!;
  });

  afterAll(async () => {
    await web?.remove();
  });

  /** The scripts the HTML loads itself (entry and module preloads): all that runs before the first paint. */
  function firstPaintScripts(): string[] {
    const sources = [
      ...html.matchAll(/<script[^>]*\bsrc="\/([^"]+\.js)"/g),
      ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/([^"]+\.js)"/g),
    ].map((match) => match[1]!);
    return [...new Set(sources)].sort();
  }

  it('the budget covers exactly the scripts the page loads before its first paint', async () => {
    const scripts = firstPaintScripts();
    expect(scripts.length).toBeGreaterThan(0);
    const glob = new RegExp(`^${check.path.replace('web/dist/', '').replace('*', '[^/]+')}$`);
    const all = (await readdir(join(web.path, 'assets')))
      .filter((file) => file.endsWith('.js'))
      .map((file) => `assets/${file}`);
    // what `pnpm size` measures (the glob of package.json) is what the HTML loads…
    expect(all.filter((file) => glob.test(file)).sort()).toEqual(scripts);
    // …and the charts are a chunk of their own that the HTML does not load
    const charts = all.filter((file) => /\/charts-[^/]+\.js$/.test(file));
    expect(charts).toHaveLength(1);
    expect(scripts).not.toContain(charts[0]);
    expect(html).not.toContain(charts[0]!.replace('assets/', ''));
  });

  it(`stays within its budget, brotli-compressed (size-limit)`, async () => {
    const files = firstPaintScripts().map((file) => join(web.path, file));
    // size-limit types its answer as `object`: one `{ size }` per check
    const [result] = (await sizeLimit([filePlugin], files)) as { size: number }[];
    const limit = bytes(check.limit);
    console.info(
      `${check.name}: ${((result?.size ?? 0) / 1000).toFixed(1)} kB of ${check.limit} (brotli)`,
    );
    expect(result?.size).toBeGreaterThan(10_000);
    expect(result?.size).toBeLessThanOrEqual(limit);
  });
});
