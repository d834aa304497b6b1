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

  it('turns retries off with retry: false', () => {
    expect(resolveClientOptions({ url, retry: false }).retry).toBe(false);
  });
});
