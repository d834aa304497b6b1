/**
 * Issue 20: a user's email comes only from a verified claim, over real HTTP against PostgreSQL.
 * Someone who signs up at an identity provider with a colleague's address (unverified) must
 * not receive what is shared with that address.
 */

import { describe, expect, it } from 'vitest';
import { call, postgresAvailable, useTestApi } from '../../test/api.ts';
import { signHs256, TEST_SECRET } from '../../test/tokens.ts';
import { createTaskpulseRuntime } from '../index.ts';

describe.skipIf(!postgresAvailable)('email claims over HTTP [postgres]', () => {
  const api = useTestApi();
  const token = (sub: string, claims: Record<string, unknown> = {}) =>
    signHs256({ sub, name: sub, ...claims });
  const me = async (bearer: string) => (await call(api.url, 'me', { token: bearer })).body;
  const shareByEmail = async (owner: string, email: string) => {
    const task = await call(api.url, 'tasks.create', {
      token: owner,
      method: 'POST',
      input: { title: `for ${email}` },
    });
    expect(task.status).toBe(200);
    return call(api.url, 'shares.create', {
      token: owner,
      method: 'POST',
      input: { taskId: task.body.result.data.id, email, permission: 'view' },
    });
  };
  const sharedWith = async (bearer: string) =>
    (await call(api.url, 'tasks.list', { token: bearer, input: { scope: 'shared' } })).body.result
      .data.items as { title: string }[];

  it('regression (issue 20, unverified email claims): an unverified address is not kept, and a share by it reaches no one', async () => {
    const owner = await token('email-owner', {
      email: 'owner@example.com',
      email_verified: true,
    });
    const mallory = await token('email-mallory', { email: 'victim@example.com' });
    const malloryFalse = await token('email-mallory2', {
      email: 'victim@example.com',
      email_verified: false,
    });
    const malloryString = await token('email-mallory3', {
      email: 'victim@example.com',
      email_verified: 'true',
    });
    for (const bearer of [mallory, malloryFalse, malloryString]) {
      expect((await me(bearer)).result.data.email).toBeNull();
    }
    const refused = await shareByEmail(owner, 'victim@example.com');
    expect(refused.status).toBe(404);
    expect(refused.body.error.data.code).toBe('NOT_FOUND');
    for (const bearer of [mallory, malloryFalse, malloryString]) {
      expect(await sharedWith(bearer)).toEqual([]);
    }

    // the colleague signs in with the address verified: it is theirs, and so are shares to it
    const victim = await token('email-victim', {
      email: 'victim@example.com',
      email_verified: true,
    });
    expect((await me(victim)).result.data.email).toBe('victim@example.com');
    const share = await shareByEmail(owner, 'victim@example.com');
    expect(share.status).toBe(200);
    expect(share.body.result.data.sharedWith.id).toBe('email-victim');
    expect((await sharedWith(victim)).map((task) => task.title)).toEqual([
      'for victim@example.com',
    ]);
    expect(await sharedWith(mallory)).toEqual([]);
  });

  it('a verified claim takes the address over from an unverified holder', async () => {
    // stored before verification was required
    await api.tp
      .fork()
      .execute(
        "insert into users (id, email, email_verified) values ('email-early', 'colleague@example.com', false)",
      );
    const owner = await token('email-owner', {
      email: 'owner@example.com',
      email_verified: true,
    });
    expect((await shareByEmail(owner, 'colleague@example.com')).status).toBe(404);
    const colleague = await token('email-colleague', {
      email: 'colleague@example.com',
      email_verified: true,
    });
    expect((await me(colleague)).result.data.email).toBe('colleague@example.com');
    expect(await api.tp.fork().execute("select email from users where id = 'email-early'")).toEqual(
      [{ email: null }],
    );
    const share = await shareByEmail(owner, 'colleague@example.com');
    expect(share.body.result.data.sharedWith.id).toBe('email-colleague');
  });

  it('a verified address another user holds is not taken over', async () => {
    const first = await token('email-first', { email: 'one@example.com', email_verified: true });
    const second = await token('email-second', { email: 'one@example.com', email_verified: true });
    expect((await me(first)).result.data.email).toBe('one@example.com');
    expect((await me(second)).result.data.email).toBeNull();
    expect((await me(first)).result.data.email).toBe('one@example.com');
  });

  it('refuses a bad emailsAlwaysVerified, naming it', () => {
    expect(() =>
      createTaskpulseRuntime({
        taskpulse: api.tp,
        auth: { secret: TEST_SECRET, emailsAlwaysVerified: 'yes' as never },
      }),
    ).toThrow(/emailsAlwaysVerified: must be true or false/);
  });
});

describe.skipIf(!postgresAvailable)('emailsAlwaysVerified over HTTP [postgres]', () => {
  const api = useTestApi({
    server: (tp, logs) => ({
      taskpulse: tp,
      auth: { secret: TEST_SECRET, emailsAlwaysVerified: true },
      logger: logs.logger,
    }),
  });

  it('keeps the email of a provider whose emails are always verified, whatever email_verified says', async () => {
    for (const [sub, claims] of [
      ['always-1', { email: 'always1@example.com' }],
      ['always-2', { email: 'always2@example.com', email_verified: false }],
    ] as const) {
      const response = await call(api.url, 'me', { token: await signHs256({ sub, ...claims }) });
      expect(response.body.result.data.email).toBe(claims.email);
    }
    // and an invalid address is still left out
    const bad = await call(api.url, 'me', {
      token: await signHs256({ sub: 'always-3', email: 'not an email' }),
    });
    expect(bad.body.result.data.email).toBeNull();
  });
});

describe.skipIf(!postgresAvailable)('resolveUser email claims over HTTP [postgres]', () => {
  const api = useTestApi({
    server: (tp, logs) => ({
      taskpulse: tp,
      auth: {
        resolveUser: ({ headers }) => {
          const sub = headers.get('x-user');
          if (!sub) return null;
          return {
            sub,
            email: `${sub}@example.com`,
            email_verified: headers.get('x-verified') === 'yes',
          };
        },
      },
      logger: logs.logger,
    }),
  });

  it('keeps the email an app says is verified, and only that one', async () => {
    const as = (sub: string, verified: boolean) =>
      call(api.url, 'me', { headers: { 'x-user': sub, 'x-verified': verified ? 'yes' : 'no' } });
    expect((await as('app-unverified', false)).body.result.data.email).toBeNull();
    expect((await as('app-verified', true)).body.result.data.email).toBe(
      'app-verified@example.com',
    );
  });
});
