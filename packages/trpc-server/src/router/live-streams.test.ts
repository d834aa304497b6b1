/**
 * The cap on concurrent `dashboard.live` streams per user, over real HTTP (SSE) against
 * PostgreSQL: refused beyond it with TOO_MANY_REQUESTS, and the count freed however a stream
 * ends — the client leaves, the server closes, or the stream fails.
 */

import type { Taskpulse } from '@taskpulse/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, useTestApi } from '../../test/api.ts';
import { sampleValue } from '../../test/metrics.ts';
import { signHs256, TEST_SECRET } from '../../test/tokens.ts';
import { createTaskpulseRuntime, createTaskpulseServer, type TaskpulseServer } from '../index.ts';

/** An SSE stream of dashboard.live, read as text as it comes. */
interface Stream {
  readonly status: number;
  /** Resolves with the text so far once it contains `needle` (or rejects after 10 s). */
  until(needle: string): Promise<string>;
  /** Resolves when the server ended the stream. */
  readonly ended: Promise<void>;
  /** The client leaves (closes the connection). */
  close(): void;
}

async function openLive(base: string, token: string): Promise<Stream> {
  const abort = new AbortController();
  const params = encodeURIComponent(JSON.stringify({ token }));
  const response = await fetch(`${base}/trpc/dashboard.live?connectionParams=${params}`, {
    signal: abort.signal,
  });
  let text = '';
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const waiters = new Set<() => void>();
  const ended = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += value;
        for (const wake of waiters) wake();
      }
    } catch {
      // the client closed it
    }
  })();
  return {
    status: response.status,
    ended,
    until: async (needle) => {
      const deadline = Date.now() + 10_000;
      while (!text.includes(needle)) {
        if (Date.now() > deadline) throw new Error(`never saw ${needle} in: ${text}`);
        await new Promise<void>((resolve) => {
          waiters.add(resolve);
          setTimeout(resolve, 50);
        });
      }
      return text;
    },
    close: () => abort.abort(),
  };
}

const openStreams = async (base: string) =>
  sampleValue(await (await fetch(`${base}/metrics`)).text(), 'taskpulse_live_streams', {});

async function eventually(check: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(!postgresAvailable)('dashboard.live streams per user [postgres]', () => {
  const api = useTestApi({
    server: (tp, logs) => ({
      taskpulse: tp,
      auth: { secret: TEST_SECRET },
      logger: logs.logger,
      maxLiveStreamsPerUser: 3,
    }),
  });
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    alice = await signHs256({ sub: 'stream-alice' });
    bob = await signHs256({ sub: 'stream-bob' });
  });

  it('refuses the stream beyond the cap with TOO_MANY_REQUESTS, frees the count when a client leaves, and counts open streams', async () => {
    const streams = await Promise.all([1, 2, 3].map(() => openLive(api.url, alice)));
    for (const stream of streams) await stream.until('"statistics"');
    expect(await openStreams(api.url)).toBe(3);

    const refused = await openLive(api.url, alice);
    const text = await refused.until('TOO_MANY_REQUESTS');
    // tRPC's SSE answer to a call that fails before streaming: an error event, then the end
    expect(text).toMatch(
      /event: serialized-error\ndata: .*"code":"TOO_MANY_REQUESTS","httpStatus":429/,
    );
    expect(text).toMatch(/at most 3 are allowed/);
    expect(text).not.toContain('"statistics"');
    await refused.ended;
    expect(await openStreams(api.url)).toBe(3);

    // another user is not affected
    const bobs = await openLive(api.url, bob);
    await bobs.until('"statistics"');
    expect(await openStreams(api.url)).toBe(4);

    // one of alice's clients leaves: its slot is freed, and she may open another
    streams[0]!.close();
    await eventually(async () => (await openStreams(api.url)) === 3, 'the closed stream freed');
    const again = await openLive(api.url, alice);
    await again.until('"statistics"');
    expect(await openStreams(api.url)).toBe(4);

    // and the cap holds again
    const refusedAgain = await openLive(api.url, alice);
    await refusedAgain.until('TOO_MANY_REQUESTS');

    for (const stream of [streams[1]!, streams[2]!, again, bobs]) stream.close();
    await eventually(async () => (await openStreams(api.url)) === 0, 'every stream freed');
    const text2 = await (await fetch(`${api.url}/metrics`)).text();
    expect(
      sampleValue(text2, 'taskpulse_requests_total', {
        procedure: 'dashboard.live',
        outcome: 'TOO_MANY_REQUESTS',
      }),
    ).toBe(2);
  });

  it('frees the counts when the server closes its streams', async () => {
    const server = createTaskpulseServer({
      taskpulse: api.tp,
      auth: { secret: TEST_SECRET },
      logger: api.logs.logger,
      maxLiveStreamsPerUser: 2,
    });
    const { url } = await server.listen(0, '127.0.0.1');
    const streams = [await openLive(url, alice), await openLive(url, alice)];
    for (const stream of streams) await stream.until('"statistics"');
    expect(await openStreams(url)).toBe(2);
    await server.close();
    await Promise.all(streams.map((stream) => stream.ended));
    await eventually(
      async () =>
        sampleValue(await server.runtime.metrics.render(), 'taskpulse_live_streams', {}) === 0,
      'the server freed its streams',
    );
  });

  describe('a stream that fails', () => {
    let server: TaskpulseServer;
    let url: string;
    let fail: (() => void) | undefined;
    beforeAll(async () => {
      // the real taskpulse, whose live stream fails on demand after its first emission
      const tp = api.tp;
      const failing: Taskpulse = Object.create(tp, {
        dashboard: {
          value: {
            ...tp.dashboard,
            live: async function* (...args: Parameters<Taskpulse['dashboard']['live']>) {
              const stream = tp.dashboard.live(...args);
              const first = await stream.next();
              if (!first.done) yield first.value;
              await new Promise<void>((resolve) => {
                fail = resolve;
              });
              await stream.return(undefined);
              throw new Error('the figures could not be read');
            },
          },
        },
      });
      const runtime = createTaskpulseRuntime({
        taskpulse: failing,
        auth: { secret: TEST_SECRET },
        logger: api.logs.logger,
        maxLiveStreamsPerUser: 1,
      });
      server = createTaskpulseServer({ runtime });
      ({ url } = await server.listen(0, '127.0.0.1'));
    });
    afterAll(async () => {
      await server.close();
      await server.runtime.close();
    });

    it('frees its count when it fails', async () => {
      const stream = await openLive(url, alice);
      await stream.until('"statistics"');
      expect(await openStreams(url)).toBe(1);
      await (await openLive(url, alice)).until('TOO_MANY_REQUESTS');
      fail!();
      await stream.until('INTERNAL_SERVER_ERROR');
      stream.close();
      await eventually(async () => (await openStreams(url)) === 0, 'the failed stream freed');
      const next = await openLive(url, alice);
      await next.until('"statistics"');
      next.close();
    });
  });

  it('refuses a bad maxLiveStreamsPerUser, naming it', () => {
    for (const bad of [0, -1, 1.5]) {
      expect(() =>
        createTaskpulseRuntime({
          taskpulse: api.tp,
          auth: { secret: TEST_SECRET },
          maxLiveStreamsPerUser: bad,
        }),
      ).toThrow(/maxLiveStreamsPerUser: must be an integer >= 1/);
    }
  });
});
