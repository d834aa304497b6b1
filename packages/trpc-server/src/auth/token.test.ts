import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import type { AuthRequest } from './options.ts';
import { readBearerToken, readConnectionParamsToken, readToken } from './token.ts';

const request = (overrides: Partial<AuthRequest>): AuthRequest => ({
  headers: new Headers(),
  connectionParams: null,
  type: 'query',
  ip: undefined,
  ...overrides,
});

describe('readBearerToken', () => {
  it('reads the token of an Authorization: Bearer header, whatever the scheme case', () => {
    expect(readBearerToken(new Headers({ authorization: 'Bearer abc.def.ghi' }))).toBe(
      'abc.def.ghi',
    );
    expect(readBearerToken(new Headers({ authorization: 'bearer   abc.def-_~+/=' }))).toBe(
      'abc.def-_~+/=',
    );
  });

  it('is undefined without a header', () => {
    expect(readBearerToken(new Headers())).toBeUndefined();
    expect(readBearerToken(new Headers({ authorization: '  ' }))).toBeUndefined();
  });

  it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer two tokens', 'Token abc'])(
    'refuses %j as UNAUTHORIZED without echoing it',
    (header) => {
      let caught: unknown;
      try {
        readBearerToken(new Headers({ authorization: header }));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TRPCError);
      expect((caught as TRPCError).code).toBe('UNAUTHORIZED');
      const credential = header.split(' ').slice(1).join(' ');
      if (credential !== '') expect((caught as TRPCError).message).not.toContain(credential);
    },
  );
});

describe('readConnectionParamsToken', () => {
  it("reads a subscription's token from its connection params", () => {
    expect(
      readConnectionParamsToken({ type: 'subscription', connectionParams: { token: 'abc' } }),
    ).toBe('abc');
  });

  it('ignores connection params of queries and mutations: they can send a header', () => {
    expect(
      readConnectionParamsToken({ type: 'query', connectionParams: { token: 'abc' } }),
    ).toBeUndefined();
    expect(
      readConnectionParamsToken({ type: 'mutation', connectionParams: { token: 'abc' } }),
    ).toBeUndefined();
  });

  it('is undefined without params or without a token in them', () => {
    expect(
      readConnectionParamsToken({ type: 'subscription', connectionParams: null }),
    ).toBeUndefined();
    expect(
      readConnectionParamsToken({ type: 'subscription', connectionParams: { other: 'x' } }),
    ).toBeUndefined();
    expect(
      readConnectionParamsToken({ type: 'subscription', connectionParams: { token: '' } }),
    ).toBeUndefined();
  });
});

describe('readToken', () => {
  it('prefers the header, and falls back to connection params for subscriptions', () => {
    expect(
      readToken(
        request({
          type: 'subscription',
          headers: new Headers({ authorization: 'Bearer from-header' }),
          connectionParams: { token: 'from-params' },
        }),
      ),
    ).toBe('from-header');
    expect(
      readToken(request({ type: 'subscription', connectionParams: { token: 'from-params' } })),
    ).toBe('from-params');
    expect(readToken(request({ connectionParams: { token: 'from-params' } }))).toBeUndefined();
  });
});
