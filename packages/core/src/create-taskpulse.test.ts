import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTaskpulse, type TaskpulseConfig, TaskpulseError } from './index.ts';

/** A port on which nothing listens: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

async function failure(config: unknown): Promise<TaskpulseError> {
  const error = await createTaskpulse(config as TaskpulseConfig).then(
    () => {
      throw new Error('createTaskpulse should have failed');
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TaskpulseError);
  return error as TaskpulseError;
}

describe('createTaskpulse config', () => {
  it.each([
    ['no database', {}, ['database'], 'database'],
    [
      'a MySQL URL',
      { database: { url: 'mysql://localhost/x' } },
      ['database', 'url'],
      'postgres://',
    ],
    ['a URL that is not one', { database: { url: 'not a url' } }, ['database', 'url'], 'URL'],
    [
      'a data folder that is a number',
      { database: { embedded: { dataDir: 3 } } },
      ['database', 'embedded', 'dataDir'],
      'string',
    ],
    ['an empty database object', { database: {} }, ['database'], '{ url }'],
    ['an unknown option', { database: { embedded: {} }, caching: true }, [], 'caching'],
    [
      'a negative connect timeout',
      { database: { embedded: {} }, connectTimeoutMs: -1 },
      ['connectTimeoutMs'],
      '>=0',
    ],
    [
      'a pool of zero connections',
      { database: { url: 'postgres://localhost/x', poolSize: 0 } },
      ['database', 'poolSize'],
      '>=1',
    ],
  ])('names the bad field for %s', async (_, config, path, hint) => {
    const error = await failure(config);
    expect(error.code).toBe('VALIDATION');
    expect(error.issues.map((issue) => issue.path)).toContainEqual(path);
    expect(error.message).toContain(hint);
    if (path.length > 0) expect(error.message).toContain(`${path.join('.')}:`);
  });
});

describe('createTaskpulse on an unreachable server', () => {
  it('retries for the configured time, then names host and port but never the password', async () => {
    const port = await closedPort();
    const started = Date.now();
    const error = await failure({
      database: { url: `postgres://app:s3cr%40t-pw@127.0.0.1:${port}/tasks` },
      connectTimeoutMs: 800,
    });
    const elapsed = Date.now() - started;
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('"tasks"');
    expect(error.message).not.toContain('s3cr');
    expect(error.message).not.toContain('pw');
    // more than one attempt, spread over the backoff window, and bounded by it
    expect(error.message).toMatch(/after [2-9]\d* attempts/);
    expect(elapsed).toBeGreaterThanOrEqual(700);
    expect(elapsed).toBeLessThan(10_000);
  });
});

describe('createTaskpulse on PGlite', () => {
  it('keeps the data in the given folder across a close and a reopen', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'taskpulse-pglite-'));
    try {
      const first = await createTaskpulse({ database: { embedded: { dataDir } }, migrate: true });
      await first.fork().execute("insert into users (id, name) values ('alice', 'Alice')");
      await first.close();
      await first.close(); // idempotent

      const second = await createTaskpulse({ database: { embedded: { dataDir } }, migrate: true });
      try {
        expect(await second.pendingMigrations()).toEqual([]);
        const rows = await second.fork().execute('select id, name from users');
        expect(rows).toEqual([{ id: 'alice', name: 'Alice' }]);
        expect(await second.isHealthy()).toBe(true);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
