/**
 * Attacks on authentication, over real HTTP, against both ways tokens are verified: a shared
 * HS256 secret, and RS256/ES256 keys from an identity provider's JWKS URL. Every forged,
 * stale, tampered, confused or malformed credential must get UNAUTHORIZED — for a query and a
 * mutation alike — without provisioning a user, writing anything, or echoing the token.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../packages/trpc-server/test/tokens.ts';
import { postgresAvailable, useApi } from '../harness/api.ts';
import { type Sql, useSql } from '../harness/database.ts';
import {
  b64url,
  ecKeyPair,
  ecSigner,
  hmacSigner,
  type JwsParts,
  jws,
  type KeyPair,
  nowSeconds,
  rsaKeyPair,
  rsaSigner,
  signingInput,
} from '../harness/jws.ts';

/** A credential to try: the Authorization header to send, and/or a query string to add. */
interface Attack {
  name: string;
  authorization?: string;
  query?: string;
}

/** Claims of a token that would be valid but for the attack. */
const claims = (sub: string, extra: Record<string, unknown> = {}) => ({
  sub,
  name: sub,
  email: `${sub}@example.com`,
  iat: nowSeconds(),
  exp: nowSeconds() + 3600,
  ...extra,
});
const bearer = (token: string) => `Bearer ${token}`;

/** A JWKS server on 127.0.0.1, counting its fetches. */
async function serveJwks(
  keys: () => unknown[],
): Promise<{ url: string; fetches: () => number; close: () => Promise<void> }> {
  let fetches = 0;
  const server: Server = createServer((_req, res) => {
    fetches += 1;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: keys() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => fetches,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const attacksTried: Record<string, number> = {};

/** Sends `attack` to a query (`me`) and a mutation (`tasks.create`); both must be refused, changing nothing. */
async function expectRefused(
  api: { url: string; logs: { raw: string[] } },
  sql: Sql,
  server: string,
  attack: Attack,
) {
  const before = await sql.fingerprint();
  const headers: Record<string, string> =
    attack.authorization === undefined ? {} : { authorization: attack.authorization };
  const query = attack.query ?? '';
  const targets = [
    { path: `me${query}`, init: { headers } },
    {
      path: `tasks.create${query}`,
      init: {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'written by an attacker' }),
      },
    },
  ];
  for (const target of targets) {
    attacksTried[server] = (attacksTried[server] ?? 0) + 1;
    const response = await fetch(`${api.url}/trpc/${target.path}`, {
      ...target.init,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    const described = `${server}: ${attack.name} → ${target.path.split('?')[0]} ${response.status} ${text.slice(0, 300)}`;
    expect(response.status, described).toBe(401);
    expect(JSON.parse(text).error.data.code, described).toBe('UNAUTHORIZED');
    const credential = attack.authorization?.replace(/^\S+\s+/, '');
    if (credential && credential.length > 16) {
      expect(text.includes(credential), `${described} echoes the token`).toBe(false);
      for (const line of api.logs.raw)
        expect(line.includes(credential), `${described}: logged`).toBe(false);
    }
  }
  expect(await sql.fingerprint(), `${server}: ${attack.name} wrote something`).toEqual(before);
}

/** Attacks that need no key at all: they work the same against every server. */
function keylessAttacks(valid: string): Attack[] {
  const [header, payload, signature] = valid.split('.') as [string, string, string];
  const none = (alg: string, sig = '') =>
    jws({ header: { alg, typ: 'JWT' }, payload: claims('forged') }, () => sig);
  return [
    { name: 'no credentials at all' },
    { name: 'an empty Authorization header', authorization: '' },
    { name: '"Bearer" and no token', authorization: 'Bearer' },
    { name: '"Bearer" and spaces', authorization: 'Bearer    ' },
    { name: 'two tokens', authorization: `Bearer ${valid} ${valid}` },
    { name: 'the Basic scheme', authorization: `Basic ${b64url('forged:password')}` },
    { name: 'a Token scheme', authorization: `Token ${valid}` },
    { name: 'a token that is not a JWT', authorization: bearer('not-a-jwt') },
    { name: 'three empty segments', authorization: bearer('..') },
    { name: 'alg none, no signature', authorization: bearer(none('none')) },
    { name: 'alg None', authorization: bearer(none('None')) },
    { name: 'alg NONE', authorization: bearer(none('NONE')) },
    { name: 'alg nOnE with a signature', authorization: bearer(none('nOnE', signature)) },
    { name: 'alg none, two segments', authorization: bearer(none('none').slice(0, -1)) },
    { name: 'an empty alg', authorization: bearer(none('')) },
    {
      name: 'a valid token with its signature cut off',
      authorization: bearer(`${header}.${payload}.`),
    },
    { name: 'a valid token with two segments only', authorization: bearer(`${header}.${payload}`) },
    {
      name: 'a tampered payload under a valid signature',
      authorization: bearer(`${header}.${b64url(JSON.stringify(claims('admin')))}.${signature}`),
    },
    {
      name: 'a tampered header under a valid signature',
      authorization: bearer(
        `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'x' }))}.${payload}.${signature}`,
      ),
    },
    {
      name: 'a signature with one character changed',
      authorization: bearer(
        `${header}.${payload}.${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`,
      ),
    },
    { name: 'four segments', authorization: bearer(`${valid}.${signature}`) },
    {
      name: 'five segments (a JWE shape)',
      authorization: bearer(`${header}.${payload}.${signature}.${signature}.${signature}`),
    },
    {
      name: 'a header that is not JSON',
      authorization: bearer(`${b64url('{"alg":"HS256"')}.${payload}.${signature}`),
    },
    {
      name: 'a header that is a JSON array',
      authorization: bearer(`${b64url('["HS256"]')}.${payload}.${signature}`),
    },
    {
      name: 'a payload that is not JSON',
      authorization: bearer(`${header}.${b64url('{"sub":')}.${signature}`),
    },
    {
      name: 'characters outside base64url',
      authorization: bearer(`${header}.${payload}.${signature}!`),
    },
    {
      name: 'a 12 KB token',
      authorization: bearer(
        `${header}.${b64url(JSON.stringify(claims('big', { pad: 'x'.repeat(9_000) })))}.${signature}`,
      ),
    },
    { name: 'the token in the query string', query: `?token=${valid}&access_token=${valid}` },
    {
      name: 'the token as connection params of a query',
      query: `?connectionParams=${encodeURIComponent(JSON.stringify({ token: valid }))}`,
    },
  ];
}

describe.skipIf(!postgresAvailable)('auth attacks on a shared HS256 secret [postgres]', () => {
  const api = useApi();
  const sql = useSql(() => api.databaseUrl);
  const hs = (
    payload: JwsParts['payload'],
    extra: Record<string, unknown> = {},
    key: string | Buffer = TEST_SECRET,
    bits: 256 | 384 | 512 = 256,
  ) => jws({ header: { alg: `HS${bits}`, typ: 'JWT', ...extra }, payload }, hmacSigner(key, bits));
  let attacker: KeyPair;
  let valid: string;

  beforeAll(() => {
    attacker = rsaKeyPair('attacker');
    valid = hs(claims('legit'));
  });

  it('accepts the control: a valid token, made by the same hand', async () => {
    const response = await fetch(`${api.url}/trpc/me`, {
      headers: { authorization: bearer(valid) },
    });
    expect(response.status).toBe(200);
  });

  it('refuses every forged, stale, tampered or malformed credential', async () => {
    const now = nowSeconds();
    const attacks: Attack[] = [
      ...keylessAttacks(valid),
      {
        name: 'expired an hour ago',
        authorization: bearer(hs(claims('late', { iat: now - 7200, exp: now - 3600 }))),
      },
      {
        name: 'expired 30 s ago (beyond the 5 s tolerance)',
        authorization: bearer(hs(claims('late', { exp: now - 30 }))),
      },
      {
        name: 'not valid for an hour',
        authorization: bearer(hs(claims('early', { nbf: now + 3600 }))),
      },
      {
        name: 'not valid for a minute',
        authorization: bearer(hs(claims('early', { nbf: now + 60 }))),
      },
      {
        name: 'exp as a string',
        authorization: bearer(hs(claims('odd', { exp: String(now + 3600) }))),
      },
      { name: 'exp null', authorization: bearer(hs(claims('odd', { exp: null }))) },
      { name: 'nbf as a string', authorization: bearer(hs(claims('odd', { nbf: 'now' }))) },
      {
        name: 'no sub',
        authorization: bearer(hs({ email: 'nosub@example.com', exp: now + 3600 })),
      },
      { name: 'an empty sub', authorization: bearer(hs(claims(''))) },
      { name: 'a numeric sub', authorization: bearer(hs(claims('x', { sub: 12345 }))) },
      { name: 'an array sub', authorization: bearer(hs(claims('x', { sub: ['admin'] }))) },
      { name: 'an object sub', authorization: bearer(hs(claims('x', { sub: { id: 'admin' } }))) },
      { name: 'a null sub', authorization: bearer(hs(claims('x', { sub: null }))) },
      { name: 'a sub with a NUL', authorization: bearer(hs(claims('ad\u0000min'))) },
      {
        name: 'a sub with a lone surrogate',
        authorization: bearer(hs(`{"sub":"ad\\ud800min","exp":${now + 3600}}`)),
      },
      { name: 'a sub of 256 characters', authorization: bearer(hs(claims('s'.repeat(256)))) },
      { name: 'a payload that is a JSON array', authorization: bearer(hs('["sub","admin"]')) },
      {
        name: 'HS384 with the right secret (not allowed)',
        authorization: bearer(hs(claims('hs384'), {}, TEST_SECRET, 384)),
      },
      {
        name: 'HS512 with the right secret (not allowed)',
        authorization: bearer(hs(claims('hs512'), {}, TEST_SECRET, 512)),
      },
      {
        name: 'signed with another secret',
        authorization: bearer(
          hs(claims('other'), {}, 'another-secret-that-is-long-enough-for-hs256'),
        ),
      },
      {
        name: 'signed with the secret and a newline',
        authorization: bearer(hs(claims('other'), {}, `${TEST_SECRET}\n`)),
      },
      {
        name: 'signed with the secret cut short',
        authorization: bearer(hs(claims('other'), {}, TEST_SECRET.slice(0, 32))),
      },
      { name: 'signed with an empty secret', authorization: bearer(hs(claims('other'), {}, '')) },
      {
        name: 'signed with the secret base64-decoded',
        authorization: bearer(hs(claims('other'), {}, Buffer.from(TEST_SECRET, 'base64'))),
      },
      {
        name: 'RS256 with some RSA key',
        authorization: bearer(
          jws(
            { header: { alg: 'RS256', typ: 'JWT' }, payload: claims('rsa') },
            rsaSigner(attacker.privateKey),
          ),
        ),
      },
      {
        name: 'HS256 keyed with an RSA public key',
        authorization: bearer(hs(claims('confused'), {}, attacker.publicPem)),
      },
      {
        name: 'a kid of path traversal, signed with another secret',
        authorization: bearer(
          hs(
            claims('kid'),
            { kid: '../../../../dev/null' },
            'another-secret-that-is-long-enough-for-hs256',
          ),
        ),
      },
      {
        name: 'a kid of SQL, signed with another secret',
        authorization: bearer(
          hs(claims('kid'), { kid: "' OR '1'='1" }, 'another-secret-that-is-long-enough-for-hs256'),
        ),
      },
      {
        name: 'a critical header extension nobody knows',
        authorization: bearer(hs(claims('crit'), { crit: ['exp'], exp: now + 3600 })),
      },
      {
        name: 'an unencoded payload (b64: false)',
        authorization: bearer(hs(claims('b64'), { b64: false, crit: ['b64'] })),
      },
    ];
    for (const attack of attacks) await expectRefused(api, sql, 'HS256 secret', attack);
    // the subs of the forged tokens never became users
    const users = await sql.query<{ id: string }>('select id from users');
    expect(users.map((user) => user.id)).toEqual(['legit']);
  }, 60_000);
});

describe.skipIf(!postgresAvailable)('auth attacks on keys from a JWKS URL [postgres]', () => {
  let trustedRsa: KeyPair;
  let trustedEc: KeyPair;
  let attacker: KeyPair;
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  let rogue: Awaited<ReturnType<typeof serveJwks>>;
  beforeAll(async () => {
    trustedRsa = rsaKeyPair('trusted-rsa');
    trustedEc = ecKeyPair('trusted-ec');
    attacker = rsaKeyPair('attacker-rsa');
    jwks = await serveJwks(() => [trustedRsa.jwk, trustedEc.jwk]);
    // the attacker's own key set, that tokens point to with jku and x5u
    rogue = await serveJwks(() => [{ ...attacker.jwk, kid: 'trusted-rsa' }]);
  });
  afterAll(async () => {
    await jwks?.close();
    await rogue?.close();
  });
  // the key set's URL is known once it listens, in the beforeAll above
  const api = useApi({ auth: () => ({ jwksUrl: jwks.url }) });
  const sql = useSql(() => api.databaseUrl);

  const rs = (
    payload: JwsParts['payload'],
    header: Record<string, unknown> = {},
    key = trustedRsa,
  ) =>
    jws(
      { header: { alg: 'RS256', typ: 'JWT', kid: 'trusted-rsa', ...header }, payload },
      rsaSigner(key.privateKey),
    );
  const es = (
    payload: JwsParts['payload'],
    header: Record<string, unknown> = {},
    encoding: 'ieee-p1363' | 'der' = 'ieee-p1363',
  ) =>
    jws(
      { header: { alg: 'ES256', typ: 'JWT', kid: 'trusted-ec', ...header }, payload },
      ecSigner(trustedEc.privateKey, encoding),
    );

  it('accepts the controls: RS256 and ES256 tokens signed by the trusted keys', async () => {
    for (const token of [rs(claims('legit-rs')), es(claims('legit-es'))]) {
      const response = await fetch(`${api.url}/trpc/me`, {
        headers: { authorization: bearer(token) },
      });
      expect(response.status, await response.text()).toBe(200);
    }
  });

  it('refuses algorithm confusion, foreign keys, kid tricks and key-carrying headers', async () => {
    const now = nowSeconds();
    const hsWith = (key: string | Buffer, header: Record<string, unknown> = {}) =>
      jws(
        {
          header: { alg: 'HS256', typ: 'JWT', kid: 'trusted-rsa', ...header },
          payload: claims('confused'),
        },
        hmacSigner(key),
      );
    const parts = {
      header: { alg: 'ES256', typ: 'JWT', kid: 'trusted-ec' },
      payload: claims('psychic'),
    };
    const attacks: Attack[] = [
      ...keylessAttacks(rs(claims('legit-rs'))),
      {
        name: 'HS256 keyed with the trusted RSA public key (PEM)',
        authorization: bearer(hsWith(trustedRsa.publicPem)),
      },
      {
        name: 'HS256 keyed with the trusted RSA JWK',
        authorization: bearer(hsWith(JSON.stringify(trustedRsa.jwk))),
      },
      {
        name: 'HS256 keyed with the trusted RSA modulus',
        authorization: bearer(hsWith(Buffer.from(String(trustedRsa.jwk.n), 'base64url'))),
      },
      {
        name: 'HS256 keyed with the trusted EC public key',
        authorization: bearer(hsWith(trustedEc.publicPem, { kid: 'trusted-ec' })),
      },
      {
        name: "RS256 signed by an attacker's key, trusted kid",
        authorization: bearer(rs(claims('foreign'), {}, attacker)),
      },
      {
        name: "RS256 signed by an attacker's key, its own kid",
        authorization: bearer(rs(claims('foreign'), { kid: 'attacker-rsa' }, attacker)),
      },
      {
        name: 'RS256 without a kid, foreign key',
        authorization: bearer(rs(claims('foreign'), { kid: undefined }, attacker)),
      },
      {
        name: 'a kid of path traversal',
        authorization: bearer(rs(claims('kid'), { kid: '../../../../etc/passwd' }, attacker)),
      },
      {
        name: 'a kid of SQL',
        authorization: bearer(rs(claims('kid'), { kid: "trusted-rsa' OR '1'='1" }, attacker)),
      },
      {
        name: 'a kid of 1,000 characters',
        authorization: bearer(rs(claims('kid'), { kid: 'k'.repeat(1_000) }, attacker)),
      },
      { name: 'an empty kid', authorization: bearer(rs(claims('kid'), { kid: '' }, attacker)) },
      { name: 'a numeric kid', authorization: bearer(rs(claims('kid'), { kid: 1 }, attacker)) },
      {
        name: "jku pointing to the attacker's key set",
        authorization: bearer(rs(claims('jku'), { jku: rogue.url }, attacker)),
      },
      {
        name: "x5u pointing to the attacker's key set",
        authorization: bearer(rs(claims('x5u'), { x5u: rogue.url }, attacker)),
      },
      {
        name: "the attacker's key embedded as jwk",
        authorization: bearer(
          rs(claims('jwk'), { jwk: { ...attacker.jwk, kid: 'trusted-rsa' } }, attacker),
        ),
      },
      {
        name: 'a made-up x5c chain',
        authorization: bearer(rs(claims('x5c'), { x5c: [b64url('not a certificate')] }, attacker)),
      },
      {
        name: 'ES256 header on the RSA kid',
        authorization: bearer(es(claims('mismatch'), { kid: 'trusted-rsa' })),
      },
      {
        name: 'RS256 header on the EC kid',
        authorization: bearer(rs(claims('mismatch'), { kid: 'trusted-ec' })),
      },
      {
        name: 'PS256 signed by the trusted key (not allowed)',
        authorization: bearer(
          jws(
            { header: { alg: 'PS256', typ: 'JWT', kid: 'trusted-rsa' }, payload: claims('pss') },
            rsaSigner(trustedRsa.privateKey, 'pss'),
          ),
        ),
      },
      {
        name: 'ES256 with a DER-encoded signature',
        authorization: bearer(es(claims('der'), {}, 'der')),
      },
      {
        name: 'ES256 with r = s = 0 (psychic signature)',
        authorization: bearer(`${signingInput(parts)}.${b64url(Buffer.alloc(64))}`),
      },
      {
        name: 'alg none on the trusted kid',
        authorization: bearer(
          jws({ header: { alg: 'none', kid: 'trusted-rsa' }, payload: claims('none') }, () => ''),
        ),
      },
      {
        name: 'trusted RS256, expired',
        authorization: bearer(rs(claims('late', { iat: now - 7200, exp: now - 3600 }))),
      },
      {
        name: 'trusted RS256, not valid yet',
        authorization: bearer(rs(claims('early', { nbf: now + 3600 }))),
      },
      { name: 'trusted ES256, no sub', authorization: bearer(es({ exp: now + 3600 })) },
      { name: 'trusted ES256, empty sub', authorization: bearer(es(claims(''))) },
      {
        name: 'trusted RS256, a tampered payload',
        authorization: bearer(
          `${rs(claims('legit-rs')).split('.')[0]}.${b64url(JSON.stringify(claims('admin')))}.${rs(claims('legit-rs')).split('.')[2]}`,
        ),
      },
    ];
    for (const attack of attacks) await expectRefused(api, sql, 'JWKS URL', attack);
    expect(rogue.fetches()).toBe(0);
    const users = await sql.query<{ id: string }>('select id from users order by id');
    expect(users.map((user) => user.id)).toEqual(['legit-es', 'legit-rs']);
  }, 60_000);
});

afterAll(() => {
  const total = Object.values(attacksTried).reduce((sum, n) => sum + n, 0);
  console.info(
    `auth attacks: ${total} tried (each credential on a query and a mutation) — ${JSON.stringify(attacksTried)}`,
  );
});
