import { describe, expect, it } from 'vitest';
import { createTaskpulseClient } from './create-client.ts';
import { resolveClientOptions, type TaskpulseClientOptions, toTrpcUrl } from './options.ts';

describe('toTrpcUrl', () => {
  it('appends /trpc to the server base URL, and keeps a URL that already ends in /trpc', () => {
    expect(toTrpcUrl('https://api.example.com')).toBe('https://api.example.com/trpc');
    expect(toTrpcUrl('https://api.example.com/')).toBe('https://api.example.com/trpc');
    expect(toTrpcUrl('http://127.0.0.1:3000/taskpulse/')).toBe(
      'http://127.0.0.1:3000/taskpulse/trpc',
    );
    expect(toTrpcUrl('https://api.example.com/trpc')).toBe('https://api.example.com/trpc');
    expect(toTrpcUrl('https://api.example.com/trpc/')).toBe('https://api.example.com/trpc');
    expect(toTrpcUrl(new URL('https://api.example.com/v1'))).toBe(
      'https://api.example.com/v1/trpc',
    );
  });

  it("takes a path on the page's origin, for browsers", () => {
    expect(toTrpcUrl('/')).toBe('/trpc');
    expect(toTrpcUrl('/api')).toBe('/api/trpc');
    expect(toTrpcUrl('/trpc')).toBe('/trpc');
  });

  it('refuses what is not a usable URL, saying what it wants', () => {
    expect(() => toTrpcUrl('')).toThrow(/`url` must be the server's base URL/);
    expect(() => toTrpcUrl(undefined)).toThrow(/got undefined/);
    expect(() => toTrpcUrl('api.example.com')).toThrow(/absolute http\(s\) URL/);
    expect(() => toTrpcUrl('ws://api.example.com')).toThrow(/must use http or https/);
    expect(() => toTrpcUrl('https://api.example.com/?x=1')).toThrow(/query or a fragment/);
  });
});

describe('toTrpcUrl with a basePath', () => {
  it('puts the endpoint where the host app serves tRPC', () => {
    expect(toTrpcUrl('https://app.example.com', '/api/trpc')).toBe(
      'https://app.example.com/api/trpc',
    );
    expect(toTrpcUrl('https://app.example.com/', '/api/trpc/')).toBe(
      'https://app.example.com/api/trpc',
    );
    expect(toTrpcUrl('http://127.0.0.1:3000/v1', '/rpc')).toBe('http://127.0.0.1:3000/v1/rpc');
    expect(toTrpcUrl('/', '/api/trpc')).toBe('/api/trpc');
    // an explicit basePath is taken as written, even /trpc after a URL ending in /trpc
    expect(toTrpcUrl('https://app.example.com/trpc', '/trpc')).toBe(
      'https://app.example.com/trpc/trpc',
    );
  });

  it('refuses a basePath that is not a plain absolute path', () => {
    expect(() => toTrpcUrl('https://app.example.com', 'api/trpc')).toThrow(
      /`basePath` must be a path starting with "\/"/,
    );
    expect(() => toTrpcUrl('https://app.example.com', '/api?x=1')).toThrow(/`basePath`/);
    expect(() => toTrpcUrl('https://app.example.com', '/api/../admin')).toThrow(/dot segments/);
    expect(() => toTrpcUrl('https://app.example.com', 3)).toThrow(/got number/);
  });

  it('regression: a URL into a host router (…/api/trpc/taskpulse) was sent to …/taskpulse/trpc/me', () => {
    // the client appended /trpc to the mount key; it now says how to write it instead
    expect(() => toTrpcUrl('http://127.0.0.1:3000/api/trpc/taskpulse')).toThrow(
      'give the endpoint as `basePath` and the router key as `mountedAt`, e.g. { url: "http://127.0.0.1:3000", basePath: "/api/trpc", mountedAt: "taskpulse" }',
    );
    expect(() => toTrpcUrl('/api/trpc/taskpulse/')).toThrow(/mountedAt: "taskpulse"/);
  });
});

describe('resolveClientOptions', () => {
  const url = 'https://api.example.com';
  const bad = (options: unknown) => () => resolveClientOptions(options as TaskpulseClientOptions);

  it('applies the defaults', () => {
    const resolved = resolveClientOptions({ url });
    expect(resolved.trpcUrl).toBe('https://api.example.com/trpc');
    expect(resolved.getToken).toBeUndefined();
    expect(resolved.retry).toEqual({ attempts: 3, baseDelayMs: 250, maxDelayMs: 5000 });
    expect(resolved.maxBatchSize).toBe(20);
  });

  it('reads the token from token or getToken, and headers from an object or a function', async () => {
    expect(await resolveClientOptions({ url, token: 'abc' }).getToken?.()).toBe('abc');
    let n = 0;
    const rotating = resolveClientOptions({ url, getToken: () => `t${++n}` });
    expect([await rotating.getToken?.(), await rotating.getToken?.()]).toEqual(['t1', 't2']);
    expect(rotating.refreshesToken).toBe(true);
    expect(await resolveClientOptions({ url, headers: { 'x-a': '1' } }).headers()).toEqual({
      'x-a': '1',
    });
    expect(
      await resolveClientOptions({ url, headers: async () => ({ 'x-b': '2' }) }).headers(),
    ).toEqual({
      'x-b': '2',
    });
  });

  it('refuses bad options with a TypeError naming the option', () => {
    expect(bad(undefined)).toThrow(TypeError);
    expect(bad({ url, token: 'a', getToken: () => 'b' })).toThrow(/either `token` or `getToken`/);
    expect(bad({ url, token: '' })).toThrow(/`token` must be a non-empty string/);
    expect(bad({ url, getToken: 'abc' })).toThrow(/`getToken` must be a function/);
    expect(bad({ url, fetch: {} })).toThrow(/`fetch` must be a function/);
    expect(bad({ url, headers: 'x' })).toThrow(/`headers` must be an object/);
    expect(bad({ url, EventSource: {} })).toThrow(/"eventsource" package/);
    expect(bad({ url, retry: { attempts: -1 } })).toThrow(/`retry.attempts` must be an integer/);
    expect(bad({ url, retry: 3 })).toThrow(/`retry` must be an object or false/);
    expect(bad({ url, maxBatchSize: 0 })).toThrow(
      /`maxBatchSize` must be an integer of at least 1/,
    );
    expect(() => createTaskpulseClient({ url: 'nope' })).toThrow(/^createTaskpulseClient: /);
  });

  it('prefixes every path with the mount key, plain or nested, and refuses one that is no key', () => {
    expect(resolveClientOptions({ url }).pathPrefix).toBe('');
    expect(resolveClientOptions({ url, mountedAt: 'taskpulse' }).pathPrefix).toBe('taskpulse.');
    expect(resolveClientOptions({ url, mountedAt: 'api.taskpulse' }).pathPrefix).toBe(
      'api.taskpulse.',
    );
    expect(bad({ url, mountedAt: '' })).toThrow(/`mountedAt` must be the key of the host router/);
    expect(bad({ url, mountedAt: 'taskpulse.' })).toThrow(/got "taskpulse\."/);
    expect(bad({ url, mountedAt: '/taskpulse' })).toThrow(/`mountedAt`/);
    expect(bad({ url, mountedAt: 1 })).toThrow(/got number/);
  });

  it('turns retries off with retry: false', () => {
    expect(resolveClientOptions({ url, retry: false }).retry).toBe(false);
  });
});
