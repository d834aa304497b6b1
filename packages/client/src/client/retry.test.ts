import { createTRPCClient, TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { describe, expect, it } from 'vitest';
import type { TaskpulseRouter } from '../router/types.ts';
import {
  type FailedAttempt,
  idempotencyKeyHeader,
  idempotencyKeyLink,
  idempotencyKeyOf,
  MissingEventSourceError,
  retryDelayMs,
  retryLinks,
  shouldRetry,
} from './retry.ts';

const retry = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };

function failed(
  type: 'query' | 'mutation' | 'subscription',
  code: string | undefined,
  attempts = 1,
  cause?: Error,
): FailedAttempt {
  return {
    op: { type, signal: null },
    error: { data: code === undefined ? undefined : ({ code } as never), cause },
    attempts,
  };
}

describe('shouldRetry', () => {
  it('retries a query that got no answer or SERVICE_UNAVAILABLE, a bounded number of times', () => {
    expect(shouldRetry(failed('query', undefined), retry, false)).toBe(true);
    expect(shouldRetry(failed('query', 'SERVICE_UNAVAILABLE', 3), retry, false)).toBe(true);
    expect(shouldRetry(failed('query', 'SERVICE_UNAVAILABLE', 4), retry, false)).toBe(false);
  });

  it('never retries a mutation without an Idempotency-Key', () => {
    expect(shouldRetry(failed('mutation', undefined), retry, true)).toBe(false);
    expect(shouldRetry(failed('mutation', 'SERVICE_UNAVAILABLE'), retry, true)).toBe(false);
  });

  it('retries a mutation with an Idempotency-Key on no answer and SERVICE_UNAVAILABLE only, a bounded number of times', () => {
    const keyed = (code: string | undefined, attempts = 1): FailedAttempt => {
      const attempt = failed('mutation', code, attempts);
      return { ...attempt, op: { ...attempt.op, context: { idempotencyKey: 'k1' } } };
    };
    expect(shouldRetry(keyed(undefined), retry, false)).toBe(true);
    expect(shouldRetry(keyed('SERVICE_UNAVAILABLE', 3), retry, false)).toBe(true);
    expect(shouldRetry(keyed('SERVICE_UNAVAILABLE', 4), retry, false)).toBe(false);
    for (const code of ['BAD_REQUEST', 'CONFLICT', 'NOT_FOUND', 'INTERNAL_SERVER_ERROR']) {
      expect([code, shouldRetry(keyed(code), retry, false)]).toEqual([code, false]);
    }
  });

  it('does not retry answers that a retry cannot change', () => {
    for (const code of [
      'BAD_REQUEST',
      'NOT_FOUND',
      'CONFLICT',
      'UNAUTHORIZED',
      'TOO_MANY_REQUESTS',
    ]) {
      expect(shouldRetry(failed('query', code), retry, true)).toBe(false);
    }
  });

  it('re-opens a subscription after UNAUTHORIZED only when tokens come from getToken', () => {
    expect(shouldRetry(failed('subscription', 'UNAUTHORIZED'), retry, true)).toBe(true);
    expect(shouldRetry(failed('subscription', 'UNAUTHORIZED'), retry, false)).toBe(false);
    expect(shouldRetry(failed('subscription', 'BAD_REQUEST'), retry, true)).toBe(false);
  });

  it('does not retry a cancelled call, nor a subscription without EventSource', () => {
    const aborted = new AbortController();
    aborted.abort();
    expect(
      shouldRetry(
        { ...failed('query', undefined), op: { type: 'query', signal: aborted.signal } },
        retry,
        false,
      ),
    ).toBe(false);
    expect(
      shouldRetry(
        failed('subscription', undefined, 1, new MissingEventSourceError()),
        retry,
        false,
      ),
    ).toBe(false);
  });
});

describe('Idempotency-Key', () => {
  const mutation = (idempotencyKey?: string) => ({
    type: 'mutation' as const,
    context: idempotencyKey === undefined ? {} : { idempotencyKey },
  });

  it('is one key per mutation of a batch, in order; keys holding commas or quotes are quoted', () => {
    expect(idempotencyKeyHeader([mutation('a'), mutation('b')])).toBe('a, b');
    expect(idempotencyKeyHeader([mutation('a,b'), mutation('say "hi"\\')])).toBe(
      '"a,b", "say \\"hi\\"\\\\"',
    );
    expect(idempotencyKeyHeader([{ type: 'query', context: {} }])).toBeUndefined();
    expect(idempotencyKeyHeader([mutation('a'), mutation()])).toBeUndefined();
  });

  it('is generated once per mutation, kept across the retries, and left alone when given', async () => {
    const seen: (string | undefined)[] = [];
    let attempt = 0;
    // fails the first two attempts as if the network dropped, then answers
    const transport: TRPCLink<TaskpulseRouter> =
      () =>
      ({ op }) =>
        observable((observer) => {
          seen.push(idempotencyKeyOf(op));
          attempt += 1;
          if (attempt < 3) observer.error(TRPCClientError.from(new TypeError('fetch failed')));
          else {
            observer.next({ result: { type: 'data', data: 'ok' } } as never);
            observer.complete();
          }
        });
    const client = createTRPCClient<TaskpulseRouter>({
      links: [idempotencyKeyLink(), ...retryLinks({ ...retry, baseDelayMs: 1 }, false), transport],
    });
    await client.tasks.create.mutate({ title: 'A' });
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(new Set(seen).size).toBe(1);
    attempt = 2;
    seen.length = 0;
    await client.tasks.create.mutate({ title: 'B' }, { context: { idempotencyKey: 'mine' } });
    expect(seen).toEqual(['mine']);
    attempt = 2;
    seen.length = 0;
    await client.tasks.create.mutate({ title: 'C' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toBe('mine');
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base delay, with jitter, up to the cap', () => {
    for (let i = 0; i < 20; i += 1) {
      const first = retryDelayMs(1, retry);
      expect(first).toBeGreaterThanOrEqual(50);
      expect(first).toBeLessThanOrEqual(100);
      const third = retryDelayMs(3, retry);
      expect(third).toBeGreaterThanOrEqual(200);
      expect(third).toBeLessThanOrEqual(400);
      expect(retryDelayMs(10, retry)).toBeLessThanOrEqual(1000);
    }
  });
});

/**
 * A transport for `dashboard.live` whose attempts play a script: `connect-drop` connects then
 * loses the connection for good, `fail` fails without connecting, `emit` connects and emits.
 */
function scriptedLive(script: ('connect-drop' | 'fail' | 'emit')[]) {
  let attempts = 0;
  const link: TRPCLink<TaskpulseRouter> = () => () =>
    observable((observer) => {
      const step = script[attempts] ?? 'fail';
      attempts += 1;
      const dropped = new TRPCClientError('connection lost');
      if (step === 'fail') {
        observer.error(dropped);
        return;
      }
      observer.next({ result: { type: 'started' } });
      if (step === 'connect-drop') observer.error(dropped);
      else observer.next({ result: { id: '1', data: { id: '1', data: { attempt: attempts } } } });
    });
  return { link, attempts: () => attempts };
}

function subscribeLive(links: TRPCLink<TaskpulseRouter>[]) {
  const client = createTRPCClient<TaskpulseRouter>({ links });
  return new Promise<{ data?: unknown; error?: unknown }>((resolve) => {
    const subscription = client.dashboard.live.subscribe(
      {},
      {
        onData: (data) => {
          // the scripted transport emits synchronously, before subscribe() returned
          queueMicrotask(() => subscription.unsubscribe());
          resolve({ data });
        },
        onError: (error) => resolve({ error }),
      },
    );
  });
}

describe('retryLinks on a live subscription', () => {
  const noDelay = { attempts: 2, baseDelayMs: 0, maxDelayMs: 0 };

  it('re-opens it any number of times over its life, as long as each re-open connects', async () => {
    const transport = scriptedLive([
      'connect-drop',
      'connect-drop',
      'fail',
      'connect-drop',
      'fail',
      'fail',
      'emit',
    ]);
    const result = await subscribeLive([...retryLinks(noDelay, false), transport.link]);
    expect(result.error).toBeUndefined();
    expect(result.data).toEqual({ id: '1', data: { attempt: 7 } });
    expect(transport.attempts()).toBe(7);
  });

  it('gives up after retry.attempts failures in a row without connecting', async () => {
    const transport = scriptedLive(['connect-drop', 'fail', 'fail', 'fail', 'emit']);
    const result = await subscribeLive([...retryLinks(noDelay, false), transport.link]);
    expect(String(result.error)).toMatch(/connection lost/);
    // the first drop, then two failed re-opens allowed, the third failure is final
    expect(transport.attempts()).toBe(4);
  });
});
