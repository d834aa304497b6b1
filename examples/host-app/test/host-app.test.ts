/**
 * The host app over real HTTP, on PostgreSQL and on PGlite: its static files, its own sign-in
 * mapped to taskpulse's users, its atomic "project with tasks" procedure (committed, and rolled
 * back whole), taskpulse's procedures through the typed client at the mounted key, live figures,
 * and — on PostgreSQL — one pool: the connections PostgreSQL sees never exceed the app's pool.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createTaskpulseClient, getTaskpulseErrorCode } from '@taskpulse/client';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { EventSource } from 'eventsource';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchLive } from '../../../packages/client/test/live.ts';
import {
  createTestDatabase,
  postgresAvailable,
  testServerUrl,
} from '../../../packages/core/test/databases.ts';
import { createHostApp, type HostApp } from '../src/app.ts';
import type { AppRouter } from '../src/router.ts';

const publicDir = fileURLToPath(new URL('../public', import.meta.url));
const POOL_SIZE = 4;

type Kind = 'postgres' | 'pglite';

/** An EventSource that sends the session cookie, as a browser does for its own origin. */
function eventSourceWithCookie(cookie: string): typeof EventSource {
  return class extends EventSource {
    constructor(url: string | URL, init?: ConstructorParameters<typeof EventSource>[1]) {
      super(url, {
        ...init,
        fetch: (input, request) => {
          const headers = new Headers(request?.headers);
          headers.set('cookie', cookie);
          return fetch(input, { ...request, headers });
        },
      });
    }
  };
}

function suite(kind: Kind) {
  let host: HostApp;
  let server: ReturnType<typeof serve>;
  let base: string;
  let databaseName: string | undefined;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    let database: Parameters<typeof createHostApp>[0]['database'] = {};
    if (kind === 'postgres') {
      const created = await createTestDatabase();
      drop = created.drop;
      databaseName = new URL(created.url).pathname.slice(1);
      database = { url: created.url, poolSize: POOL_SIZE };
    }
    host = await createHostApp({
      database,
      sessionSecret: 'a-session-secret-for-the-host-app-tests',
      publicDir,
      logger: pino({ level: 'silent' }),
    });
    server = serve({ fetch: host.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    if (server) {
      (server as import('node:http').Server).closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await host?.close();
    await drop?.();
  });

  const signIn = async (email: string): Promise<string> => {
    const response = await fetch(`${base}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    expect(response.status).toBe(200);
    const cookie = response.headers.get('set-cookie');
    if (!cookie) throw new Error('no session cookie');
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    return cookie.split(';')[0] ?? '';
  };
  /** The app's own typed tRPC client (its procedures and taskpulse's, by their full paths). */
  const appClient = (cookie?: string) =>
    createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${base}/api/trpc`, headers: cookie ? { cookie } : {} })],
    });
  /** taskpulse's typed client, at the key the app mounts its procedures under. */
  const taskpulseClient = (cookie: string) =>
    createTaskpulseClient<AppRouter>({
      url: base,
      basePath: '/api/trpc',
      mountedAt: 'taskpulse',
      headers: { cookie },
      EventSource: eventSourceWithCookie(cookie),
      retry: false,
    });
  const rows = async () => {
    const [counts] = await host.orm.em
      .fork()
      .execute<{ projects: number; links: number; tasks: number }[]>(
        `select (select count(*)::int from projects) as projects,
        (select count(*)::int from project_tasks) as links,
        (select count(*)::int from tasks) as tasks`,
      );
    return counts;
  };

  it('serves its page and static files with security headers, and nothing outside public/', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<title>Projects');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const script = await fetch(`${base}/app.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/src/app.ts', '/nothing']) {
      expect((await fetch(`${base}${path}`)).status).toBe(404);
    }
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });

  it("migrates taskpulse's tables, then the app's, and its entities agree with its migrations", async () => {
    const applied = await host.orm.em
      .fork()
      .execute<{ name: string }[]>('select name from mikro_orm_migrations order by id');
    expect(applied.map((row) => row.name).at(-1)).toBe('Migration20261201120000_projects');
    expect(applied.map((row) => row.name)).toContain('Migration20261122081701_initial');
    expect((await host.orm.schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe('');
  });

  it("maps the app's own session to taskpulse's user, and refuses calls without one", async () => {
    const cookie = await signIn('ada@example.com');
    expect(await appClient(cookie).session.query()).toEqual({
      id: 'host|ada',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
    });
    expect(await taskpulseClient(cookie).me.query()).toMatchObject({
      id: 'host|ada',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
    });
    const anonymous = appClient();
    for (const call of [
      () => anonymous.projects.list.query(),
      () => anonymous.taskpulse.me.query(),
    ]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TRPCClientError);
      expect((error as TRPCClientError<AppRouter>).data?.code).toBe('UNAUTHORIZED');
    }
    // a cookie whose signature does not match is no session
    const forged = cookie.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'));
    expect(await appClient(forged).session.query()).toBeNull();
    // a form posted from another site is refused before it reaches the API
    const form = await fetch(`${base}/api/trpc/projects.createWithTasks`, {
      method: 'POST',
      headers: {
        cookie,
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
      },
      body: 'name=x',
    });
    expect(form.status).toBe(403);
  });

  it('creates a project and its tasks in one transaction, and the live figures follow its commit', async () => {
    const cookie = await signIn('ada@example.com');
    const before = await rows();
    const live = watchLive(taskpulseClient(cookie), { timeZone: 'UTC' });
    try {
      expect((await live.until(() => true)).statistics.total).toBe(0);
      const { project, tasks } = await appClient(cookie).projects.createWithTasks.mutate({
        name: 'Launch',
        tasks: [{ title: 'Write the announcement' }, { title: 'Tell the team', priority: 'high' }],
      });
      expect(tasks.map((task) => task.title)).toEqual(['Write the announcement', 'Tell the team']);
      expect(project.taskIds).toEqual(tasks.map((task) => task.id));
      expect(await rows()).toEqual({
        projects: (before?.projects ?? 0) + 1,
        links: (before?.links ?? 0) + 2,
        tasks: (before?.tasks ?? 0) + 2,
      });
      const after = await live.until((last) => last.statistics.total === 2);
      expect(after.statistics).toMatchObject({ total: 2, pending: 2 });
      expect(await appClient(cookie).projects.list.query()).toEqual([project]);
    } finally {
      live.stop();
    }
  });

  it('rolls the project row and the task rows back together when a task fails, and publishes nothing', async () => {
    const cookie = await signIn('ada@example.com');
    const client = taskpulseClient(cookie);
    const statistics = await client.dashboard.statistics.query();
    const before = await rows();
    const live = watchLive(client, { timeZone: 'UTC' });
    try {
      await live.until(() => true);
      // the statements the app's pool runs meanwhile: both rows are written, then rolled back
      const statements: string[] = [];
      const stopObserving = host.taskpulse.observeQueries(({ sql }) => {
        const statement =
          /^(insert into "?(?:projects|tasks|project_tasks)"?|savepoint|release|rollback to|rollback)\b/i.exec(
            sql.trim(),
          );
        if (statement?.[1]) statements.push(statement[1].toLowerCase().replaceAll('"', ''));
      });
      const error = await appClient(cookie)
        .projects.createWithTasks.mutate({
          name: 'Half done',
          tasks: [
            { title: 'written, then rolled back' },
            // a team the caller is not in: taskpulse refuses this one, after the first was written
            { title: 'refused', teamId: '00000000-0000-7000-8000-000000000000' },
          ],
        })
        .catch((caught: unknown) => caught);
      stopObserving();
      expect(getTaskpulseErrorCode(error)).toBe('NOT_FOUND');
      expect(statements).toEqual([
        'insert into projects',
        // taskpulse's first write, in a savepoint of the app's transaction
        'savepoint',
        'insert into tasks',
        'release',
        // its second write fails: only its savepoint is rolled back, then the app rolls back all
        'savepoint',
        'rollback to',
        // (PGlite ends a transaction through its own API, not a statement)
        ...(kind === 'postgres' ? ['rollback'] : []),
      ]);
      const after = await rows();
      expect(after).toEqual(before);
      console.log(
        `[host-app ${kind}] projects.createWithTasks failed on its 2nd task (NOT_FOUND); statements: ${statements.join(' → ')}; rows (projects, links, tasks) before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`,
      );
      expect(await client.dashboard.statistics.query()).toEqual(statistics);
      const titles = (await client.tasks.list.query({ scope: 'owned' })).items.map((t) => t.title);
      expect(titles).not.toContain('written, then rolled back');
      // the first task's change event was never published: no live emission follows
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(live.emissions).toHaveLength(1);
    } finally {
      live.stop();
    }
  });

  it('answers a duplicate project name with CONFLICT, and writes nothing', async () => {
    const cookie = await signIn('ada@example.com');
    const before = await rows();
    const error = await appClient(cookie)
      .projects.createWithTasks.mutate({ name: 'Launch', tasks: [{ title: 'again' }] })
      .catch((caught: unknown) => caught);
    expect((error as TRPCClientError<AppRouter>).data?.code).toBe('CONFLICT');
    expect((error as Error).message).toBe('You already have a project named "Launch".');
    expect(await rows()).toEqual(before);
    // and bad input is BAD_REQUEST, with taskpulse's own rules for the tasks
    const invalid = await appClient(cookie)
      .projects.createWithTasks.mutate({ name: 'Long', tasks: [{ title: 'x'.repeat(201) }] })
      .catch((caught: unknown) => caught);
    expect((invalid as TRPCClientError<AppRouter>).data?.code).toBe('BAD_REQUEST');
  });

  it("calls taskpulse's procedures through the typed client at the mounted key", async () => {
    const cookie = await signIn('grace@example.com');
    const client = taskpulseClient(cookie);
    const task = await client.tasks.create.mutate({ title: 'Find the bug', priority: 'high' });
    await client.tasks.update.mutate({ id: task.id, status: 'completed' });
    expect(await client.dashboard.breakdown.query()).toMatchObject({
      total: 1,
      completed: 1,
      byPriority: { high: 1 },
    });
    const page = await client.tasks.list.query({ scope: 'owned', status: 'completed' });
    expect(page.items.map((item) => item.id)).toEqual([task.id]);
    // Ada's tasks do not exist for Grace
    const adas = await appClient(await signIn('ada@example.com')).projects.list.query();
    const error = await client.tasks.get
      .query({ id: adas[0]?.taskIds[0] ?? '' })
      .catch((caught: unknown) => caught);
    expect(getTaskpulseErrorCode(error)).toBe('NOT_FOUND');
  });

  // PGlite is one in-process connection: there is no pool to count
  it.skipIf(kind === 'pglite')(
    'keeps to one pool: PostgreSQL sees no more connections than the app’s pool under load',
    async () => {
      const admin = new pg.Client({ connectionString: testServerUrl });
      await admin.connect();
      const cookies = [await signIn('ada@example.com'), await signIn('grace@example.com')];
      let most = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const { rows: counted } = await admin.query<{ n: number }>(
            'select count(*)::int as n from pg_stat_activity where datname = $1',
            [databaseName],
          );
          most = Math.max(most, counted[0]?.n ?? 0);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      try {
        const calls = Array.from({ length: 60 }, (_, i) => {
          const cookie = cookies[i % 2] ?? '';
          if (i % 3 === 0) {
            return appClient(cookie).projects.createWithTasks.mutate({
              name: `load ${i}`,
              tasks: [{ title: `load ${i}.1` }, { title: `load ${i}.2` }],
            });
          }
          return i % 3 === 1
            ? taskpulseClient(cookie).tasks.list.query({ scope: 'all' })
            : taskpulseClient(cookie).dashboard.statistics.query();
        });
        await Promise.all(calls);
      } finally {
        sampling = false;
        await sampler;
        await admin.end();
      }
      console.log(
        `[host-app postgres] one pool: at most ${most} connections in pg_stat_activity for the app's database during 60 concurrent requests (pool max ${POOL_SIZE}; taskpulse opened on the app's ORM)`,
      );
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(POOL_SIZE);
      expect(host.taskpulse.orm).toBe(host.orm);
    },
  );
}

describe.skipIf(!postgresAvailable)('the host app over HTTP [postgres]', () => suite('postgres'));
describe('the host app over HTTP [pglite]', () => suite('pglite'));
