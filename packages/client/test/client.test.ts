/**
 * The client over real HTTP against a taskpulse server on PostgreSQL: calls, tokens from
 * `getToken`, retries of queries and of mutations (with one Idempotency-Key each) while the
 * database or the server is unreachable, live figures over SSE, and the error helper.
 */
import { EventSource } from 'eventsource';
import { describe, expect, it } from 'vitest';
import {
  createTaskpulseClient,
  getRetryAfterMs,
  getTaskpulseErrorCode,
  getTaskpulseIssues,
  isTaskpulseClientError,
  type TaskpulseClientOptions,
} from '../src/index.ts';
import { watchLive } from './live.ts';
import { type ClientTestServer, postgresAvailable, useClientTestServer } from './server.ts';

/** What one HTTP request of the client got: the error codes in its body, or no answer. */
type Outcome = 'ok' | 'network' | string;

/**
 * A fetch that records the outcome of each request: `ok`, the tRPC error codes in its body
 * (batch streams answer 200 and carry errors in the body), or `network` when nothing answered.
 */
function recordingFetch(onOutcome?: (outcome: Outcome) => void) {
  const outcomes: Outcome[] = [];
  const record = (outcome: Outcome) => {
    outcomes.push(outcome);
    onOutcome?.(outcome);
  };
  const fetchFn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(input, init);
    } catch (error) {
      record('network');
      throw error;
    }
    const body = await response.clone().text();
    const codes = [...body.matchAll(/"code":"([A-Z_]+)"/g)].map((match) => match[1]);
    record(codes.length === 0 ? 'ok' : codes.join(','));
    return response;
  };
  return { outcomes, fetch: fetchFn };
}

/** Waits until the server reaches its database again (after a test restored it). */
async function databaseBack(server: ClientTestServer): Promise<void> {
  for (;;) {
    if ((await fetch(`${server.directUrl}/health/ready`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The error a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

const fastRetry = { attempts: 8, baseDelayMs: 50, maxDelayMs: 1_000 };

function clientOf(
  server: ClientTestServer,
  sub: string,
  options: Partial<TaskpulseClientOptions> = {},
) {
  const token = server.tokens.issue(sub);
  return createTaskpulseClient({ url: server.directUrl, token, EventSource, ...options });
}

describe.skipIf(!postgresAvailable)('createTaskpulseClient over HTTP [postgres]', () => {
  const server = useClientTestServer();

  it('calls queries and mutations, typed end to end', async () => {
    const client = clientOf(server, 'ada');
    expect(await client.me.query()).toMatchObject({ id: 'ada', email: 'ada@example.com' });
    const task = await client.tasks.create.mutate({ title: 'Write the report', priority: 'high' });
    expect(task).toMatchObject({ title: 'Write the report', priority: 'high', status: 'pending' });
    expect(typeof task.createdAt).toBe('string');
    const updated = await client.tasks.update.mutate({
      id: task.id,
      status: 'completed',
      expectedVersion: task.version,
    });
    expect(updated.completedAt).not.toBeNull();
    // three queries in one batch
    const [page, statistics, activity] = await Promise.all([
      client.tasks.list.query({ scope: 'owned' }),
      client.dashboard.statistics.query(),
      client.dashboard.activity.query({ timeZone: 'Europe/Berlin' }),
    ]);
    expect(page.items.map((item) => item.id)).toEqual([task.id]);
    expect(statistics).toEqual({ total: 1, pending: 0, completed: 1, shared: 0, overdue: 0 });
    expect(activity).toMatchObject({ createdToday: 1, completedToday: 1, completionRate: 1 });
    expect(activity.window.timeZone).toBe('Europe/Berlin');
  });

  it('accepts the server base URL or the full /trpc URL, and calls health without a token', async () => {
    const base = createTaskpulseClient({ url: `${server.directUrl}/` });
    const full = createTaskpulseClient({ url: `${server.directUrl}/trpc` });
    expect(await base.health.query()).toEqual({ status: 'ok', database: 'up' });
    expect(await full.health.query()).toEqual({ status: 'ok', database: 'up' });
    const error = await rejection(base.me.query());
    expect(getTaskpulseErrorCode(error)).toBe('UNAUTHORIZED');
  });

  it('sends the token from getToken with every request, so rotated tokens are used', async () => {
    let current: string | undefined;
    const issued: string[] = [];
    const recorder = recordingFetch();
    const client = createTaskpulseClient({
      url: server.directUrl,
      fetch: recorder.fetch,
      // each token is good for one request: the previous one is revoked when a new one is issued
      getToken: async () => {
        if (current) server.tokens.revoke(current);
        current = server.tokens.issue('grace');
        issued.push(current);
        return current;
      },
    });
    const refusedBefore = server.tokens.refused.length;
    await client.me.query();
    await client.tasks.create.mutate({ title: 'one' });
    // one batch: one request, one token
    await Promise.all([client.dashboard.statistics.query(), client.dashboard.breakdown.query()]);
    expect(recorder.outcomes).toEqual(['ok', 'ok', 'ok']);
    expect(issued).toHaveLength(3);
    expect(server.tokens.accepted.slice(-3)).toEqual(issued);
    expect(server.tokens.refused.length).toBe(refusedBefore);
  });

  it('answers a revoked fixed token with UNAUTHORIZED, without retrying', async () => {
    const token = server.tokens.issue('henry');
    const recorder = recordingFetch();
    const client = createTaskpulseClient({ url: server.directUrl, token, fetch: recorder.fetch });
    await client.me.query();
    server.tokens.revoke(token);
    const error = await rejection(client.me.query());
    expect(isTaskpulseClientError(error, 'UNAUTHORIZED')).toBe(true);
    expect(recorder.outcomes).toEqual(['ok', 'UNAUTHORIZED']);
  });

  it('retries a query while the database is down, and answers once it is back', async () => {
    const recorder = recordingFetch((outcome) => {
      // the database comes back after the first failure, while the client waits to retry
      if (outcome === 'SERVICE_UNAVAILABLE') server.database.restore();
    });
    const client = clientOf(server, 'ivan', { fetch: recorder.fetch, retry: fastRetry });
    await client.me.query();
    server.database.cut();
    const statistics = await client.dashboard.statistics.query();
    expect(statistics.total).toBe(0);
    const outcomes = recorder.outcomes.slice(1);
    expect(outcomes[0]).toBe('SERVICE_UNAVAILABLE');
    expect(outcomes.at(-1)).toBe('ok');
    expect(outcomes.slice(1, -1).every((outcome) => outcome === 'SERVICE_UNAVAILABLE')).toBe(true);
  });

  it('gives up on a query after the configured number of retries', async () => {
    const recorder = recordingFetch();
    const client = clientOf(server, 'judy', {
      fetch: recorder.fetch,
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
    });
    await client.me.query();
    server.database.cut();
    try {
      const error = await rejection(client.dashboard.statistics.query());
      expect(getTaskpulseErrorCode(error)).toBe('SERVICE_UNAVAILABLE');
      expect(recorder.outcomes.slice(1)).toEqual([
        'SERVICE_UNAVAILABLE',
        'SERVICE_UNAVAILABLE',
        'SERVICE_UNAVAILABLE',
      ]);
    } finally {
      server.database.restore();
      await databaseBack(server);
    }
  });

  it('retries a mutation with one Idempotency-Key while the database is down, and gives up after its attempts', async () => {
    const recorder = recordingFetch();
    const keys: (string | null)[] = [];
    const keyed = async (input: RequestInfo | URL, init?: RequestInit) => {
      keys.push(new Headers(init?.headers).get('idempotency-key'));
      return recorder.fetch(input, init);
    };
    const client = clientOf(server, 'kim', { fetch: keyed, retry: fastRetry });
    await client.me.query();
    keys.length = 0;
    server.database.cut();
    let error: unknown;
    try {
      error = await rejection(client.tasks.create.mutate({ title: 'not now' }));
    } finally {
      server.database.restore();
      await databaseBack(server);
    }
    expect(getTaskpulseErrorCode(error)).toBe('SERVICE_UNAVAILABLE');
    // every attempt was a 503, each sent with the same key
    expect(recorder.outcomes.slice(1)).toEqual(
      Array.from({ length: fastRetry.attempts + 1 }, () => 'SERVICE_UNAVAILABLE'),
    );
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect((await client.tasks.list.query({})).items).toEqual([]);
  });

  it('retries queries and mutations when the server cannot be reached; a retried mutation is made once', async () => {
    const recorder = recordingFetch((outcome) => {
      if (outcome === 'network') server.http.restore();
    });
    const token = server.tokens.issue('leo');
    const client = createTaskpulseClient({
      url: server.url,
      token,
      fetch: recorder.fetch,
      retry: fastRetry,
    });
    server.http.cut();
    expect(await client.me.query()).toMatchObject({ id: 'leo' });
    expect(recorder.outcomes).toEqual(['network', 'ok']);

    server.http.cut();
    const task = await client.tasks.create.mutate({ title: 'sent twice, made once' });
    expect(recorder.outcomes.slice(2)).toEqual(['network', 'ok']);
    expect((await client.tasks.list.query({})).items.map((item) => item.id)).toEqual([task.id]);

    const quiet = recordingFetch();
    const noRestore = createTaskpulseClient({
      url: server.url,
      token,
      fetch: quiet.fetch,
      retry: fastRetry,
    });
    server.http.cut();
    try {
      const error = await rejection(noRestore.tasks.create.mutate({ title: 'lost?' }));
      expect(isTaskpulseClientError(error)).toBe(true);
      // no answer from the API: no code
      expect(getTaskpulseErrorCode(error)).toBeUndefined();
      expect(quiet.outcomes).toEqual(
        Array.from({ length: fastRetry.attempts + 1 }, () => 'network'),
      );
    } finally {
      server.http.restore();
    }
    expect((await client.tasks.list.query({})).items.map((item) => item.id)).toEqual([task.id]);
  });

  it('narrows errors to their code, with the bad fields of a BAD_REQUEST', async () => {
    const client = clientOf(server, 'mia');
    const invalid = await rejection(
      client.tasks.create.mutate({ title: '', priority: 'urgent' as never }),
    );
    expect(getTaskpulseErrorCode(invalid)).toBe('BAD_REQUEST');
    expect(isTaskpulseClientError(invalid, 'BAD_REQUEST')).toBe(true);
    expect(isTaskpulseClientError(invalid, 'NOT_FOUND')).toBe(false);
    expect(
      getTaskpulseIssues(invalid)
        .map((issue) => issue.path)
        .sort(),
    ).toEqual([['priority'], ['title']]);
    expect(getRetryAfterMs(invalid)).toBeUndefined();

    const missing = await rejection(
      client.tasks.get.query({ id: '00000000-0000-4000-8000-000000000000' }),
    );
    expect(getTaskpulseErrorCode(missing)).toBe('NOT_FOUND');
    expect(getTaskpulseIssues(missing)).toEqual([]);

    const task = await client.tasks.create.mutate({ title: 'versioned' });
    await client.tasks.update.mutate({ id: task.id, title: 'v2' });
    const stale = await rejection(
      client.tasks.update.mutate({ id: task.id, title: 'v3', expectedVersion: task.version }),
    );
    if (!isTaskpulseClientError(stale, 'CONFLICT')) throw stale;
    expect(stale.data.httpStatus).toBe(409);
    expect(stale.data.path).toBe('tasks.update');

    expect(getTaskpulseErrorCode(new Error('not from taskpulse'))).toBeUndefined();
    expect(isTaskpulseClientError('nope')).toBe(false);
  });

  it('streams live figures: at once, then after every write', async () => {
    const client = clientOf(server, 'nina');
    const live = watchLive(client, { timeZone: 'UTC', weekStartsOn: 1 });
    try {
      const first = await live.until(() => true);
      expect(first.statistics.total).toBe(0);
      await client.tasks.create.mutate({ title: 'seen live' });
      const next = await live.until((last) => last.statistics.total === 1);
      expect(next.activity.createdToday).toBe(1);
    } finally {
      live.stop();
    }
  });

  it('reopens a dropped live connection with a fresh token from getToken', async () => {
    let current: string | undefined;
    let asked = 0;
    const client = createTaskpulseClient({
      url: server.url,
      EventSource,
      retry: fastRetry,
      getToken: () => {
        asked += 1;
        return current;
      },
    });
    current = server.tokens.issue('olga');
    const live = watchLive(client);
    try {
      await live.until(() => true);
      const askedBefore = asked;
      // the token expires while connected, and the connection drops; a write happens meanwhile
      server.tokens.revoke(current);
      current = server.tokens.issue('olga');
      server.http.cut();
      await clientOf(server, 'olga').tasks.create.mutate({ title: 'while away' });
      server.http.restore();
      // the EventSource's own reconnection sends the old token and is refused; the client
      // then opens a new subscription, asking getToken again
      const after = await live.until((last) => last.statistics.total === 1);
      expect(after.statistics.total).toBe(1);
      expect(asked).toBeGreaterThan(askedBefore);
      expect(live.errors).toEqual([]);
    } finally {
      live.stop();
    }
  });

  it('says clearly that live subscriptions need an EventSource where there is none', async () => {
    const client = clientOf(server, 'pia', { EventSource: undefined });
    // Node has no global EventSource unless started with --experimental-eventsource
    expect(globalThis.EventSource).toBeUndefined();
    const live = watchLive(client);
    const error = await live.failed();
    live.stop();
    expect(String(error)).toMatch(/no EventSource.*pass `EventSource`/);
  });
});

describe.skipIf(!postgresAvailable)('the error helper on rate limits [postgres]', () => {
  const server = useClientTestServer({ userBudget: 5 });

  it('gives the retry-after hint of TOO_MANY_REQUESTS', async () => {
    const client = clientOf(server, 'quinn');
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => client.dashboard.statistics.query()),
    );
    const limited = results.find((result) => result.status === 'rejected');
    if (limited?.status !== 'rejected') throw new Error('no call was rate limited');
    expect(getTaskpulseErrorCode(limited.reason)).toBe('TOO_MANY_REQUESTS');
    const wait = getRetryAfterMs(limited.reason);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60_000);
  });
});
