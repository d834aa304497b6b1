import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import * as browserEntry from '../figures.ts';
import { figureListFilters } from './figures.ts';

/** The runtime (non-type) imports and re-exports of a source file. */
async function runtimeImports(file: URL): Promise<string[]> {
  const source = await readFile(file, 'utf8');
  return [...source.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map(
    (match) => match[1] as string,
  );
}

describe('@taskpulse/core/figures, the browser-safe entry', () => {
  it('the figure definitions import nothing at run time', async () => {
    expect(await runtimeImports(new URL('./figure-definitions.ts', import.meta.url))).toEqual([]);
  });

  it('the entry re-exports only the figure definitions at run time', async () => {
    expect(await runtimeImports(new URL('../figures.ts', import.meta.url))).toEqual([
      './stats/figure-definitions.ts',
    ]);
  });

  it('gives the same filters as the main entry', () => {
    const window = {
      timeZone: 'Europe/Berlin',
      today: { from: '2026-11-21T23:00:00.000Z', to: '2026-11-22T23:00:00.000Z' },
      week: { from: '2026-11-16T23:00:00.000Z', to: '2026-11-23T23:00:00.000Z' },
    };
    expect(browserEntry.figureListFilters(window)).toEqual(figureListFilters(window));
    expect(browserEntry.figureListFilters(window)['activity.createdToday']).toEqual({
      scope: 'owned',
      createdFrom: window.today.from,
      createdTo: window.today.to,
    });
  });
});
