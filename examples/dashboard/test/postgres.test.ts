import { randomBytes } from 'node:crypto';
import { createTask, createTaskpulse } from '@taskpulse/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDashboard } from '../server/app.ts';
import { apiAs, startTestDashboard, tempDir } from './support.ts';

const serverUrl =
  process.env.TASKPULSE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

const unreachable = await probe();
if (unreachable !== undefined) {
  const message = `PostgreSQL at ${new URL(serverUrl).host} cannot be reached (${unreachable})`;
  if (process.env.TASKPULSE_REQUIRE_POSTGRES === '1') {
    throw new Error(`${message}, and TASKPULSE_REQUIRE_POSTGRES=1 requires it.`);
  }
  console.warn(`${message}: skipping the dashboard's DATABASE_URL test.`);
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe.skipIf(unreachable !== undefined)('the dashboard on PostgreSQL (DATABASE_URL)', () => {
  const name = `taskpulse_dashboard_${randomBytes(6).toString('hex')}`;
  let data: Awaited<ReturnType<typeof tempDir>>;
  let app: RunningDashboard;

  beforeAll(async () => {
    await admin(`create database ${name}`);
    data = await tempDir('taskpulse-dashboard-pg-');
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    app = await startTestDashboard({
      dataDir: data.path,
      webRoot: data.path,
      databaseUrl: url.toString(),
    });
  });

  afterAll(async () => {
    await app?.close();
    await data?.remove();
    await admin(`drop database if exists ${name} with (force)`);
  });

  it('migrates and seeds a fresh database, and serves it', async () => {
    expect(app.database).toBe('postgres');
    expect(app.seeded).toBe(true);
    const bob = await apiAs(app.url, 'demo-bob');
    expect(await bob.me.query()).toMatchObject({ id: 'demo-bob' });
    expect((await bob.dashboard.statistics.query()).total).toBeGreaterThan(0);
  });

  it('moves its live dashboards when another process writes to the database (an agent)', async () => {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    // another process on the same database, as `taskpulse-mcp` is beside the app
    const other = await createTaskpulse({
      database: { url: url.toString() },
      changeEvents: 'postgres',
    });
    const controller = new AbortController();
    const live = app.taskpulse.dashboard.live(
      app.taskpulse.context({ id: 'demo-bob' }),
      {},
      {
        signal: controller.signal,
      },
    );
    try {
      const first = (await live.next()).value;
      await createTask(other.context({ id: 'demo-bob' }), { title: 'from the agent' });
      const next = (await live.next()).value;
      expect(next?.data.statistics.total).toBe((first?.data.statistics.total ?? 0) + 1);
    } finally {
      controller.abort();
      await live.return(undefined);
      await other.close();
    }
  });
});
