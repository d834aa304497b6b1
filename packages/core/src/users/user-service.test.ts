import { beforeEach, expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { isTaskpulseError } from '../errors/index.ts';
import { getMe, provisionUser } from './user-service.ts';

describeDatabases('users', (db) => {
  beforeEach(async () => {
    await db.tp.fork().execute('truncate users cascade');
  });

  it('creates a user on first sight and keeps a verified email and the name in step with the claims', async () => {
    const first = await provisionUser(db.tp.fork(), {
      id: 'auth0|alice',
      email: 'alice@example.com',
      emailVerified: true,
      name: 'Alice',
    });
    expect(first.created).toBe(true);
    expect(first.user).toMatchObject({
      id: 'auth0|alice',
      email: 'alice@example.com',
      name: 'Alice',
    });
    expect(new Date(first.user.createdAt).toISOString()).toBe(first.user.createdAt);

    const again = await provisionUser(db.tp.fork(), {
      id: 'auth0|alice',
      email: 'alice@example.com',
      emailVerified: true,
      name: 'Alice',
    });
    expect(again).toEqual({ user: first.user, created: false });

    const renamed = await provisionUser(db.tp.fork(), {
      id: 'auth0|alice',
      email: 'a@example.com',
      emailVerified: true,
      name: 'Alice B.',
    });
    expect(renamed.created).toBe(false);
    expect(renamed.user).toMatchObject({
      email: 'a@example.com',
      name: 'Alice B.',
      createdAt: first.user.createdAt,
    });
  });

  const rows = () =>
    db.tp.fork().execute('select id, email, email_verified from users order by id');

  it('regression (issue 20, unverified email claims): an unverified or unstated email is not stored', async () => {
    for (const [id, emailVerified] of [
      ['mallory', false],
      ['mallory2', undefined],
      ['mallory3', null],
    ] as const) {
      const { user } = await provisionUser(db.tp.fork(), {
        id,
        email: 'victim@example.com',
        emailVerified,
      });
      expect(user.email).toBeNull();
    }
    expect(await rows()).toEqual([
      { id: 'mallory', email: null, email_verified: false },
      { id: 'mallory2', email: null, email_verified: false },
      { id: 'mallory3', email: null, email_verified: false },
    ]);
    // the address's owner, verified, gets it
    const { user } = await provisionUser(db.tp.fork(), {
      id: 'victim',
      email: 'victim@example.com',
      emailVerified: true,
    });
    expect(user.email).toBe('victim@example.com');
  });

  it('a verified claim takes the address over from a user who holds it unverified', async () => {
    // as stored before verification was required
    await db.tp
      .fork()
      .execute(
        "insert into users (id, email, email_verified) values ('early', 'victim@example.com', false)",
      );
    const { user, created } = await provisionUser(db.tp.fork(), {
      id: 'victim',
      email: 'victim@example.com',
      emailVerified: true,
      name: 'Victim',
    });
    expect(created).toBe(true);
    expect(user.email).toBe('victim@example.com');
    expect(await rows()).toEqual([
      { id: 'early', email: null, email_verified: false },
      { id: 'victim', email: 'victim@example.com', email_verified: true },
    ]);
  });

  it('does not take over an email another user holds verified: the user is created without it', async () => {
    await provisionUser(db.tp.fork(), {
      id: 'alice',
      email: 'shared@example.com',
      emailVerified: true,
    });
    const { user, created } = await provisionUser(db.tp.fork(), {
      id: 'mallory',
      email: 'shared@example.com',
      emailVerified: true,
    });
    expect(created).toBe(true);
    expect(user.email).toBeNull();
    expect(await rows()).toEqual([
      { id: 'alice', email: 'shared@example.com', email_verified: true },
      { id: 'mallory', email: null, email_verified: false },
    ]);
  });

  it('claims without a verified email keep a verified address, and drop an unverified one', async () => {
    await provisionUser(db.tp.fork(), { id: 'alice', email: 'a@example.com', emailVerified: true });
    // a token without the email scope, then one with an unverified new address
    expect((await provisionUser(db.tp.fork(), { id: 'alice' })).user.email).toBe('a@example.com');
    expect(
      (await provisionUser(db.tp.fork(), { id: 'alice', email: 'new@example.com' })).user.email,
    ).toBe('a@example.com');
    await db.tp
      .fork()
      .execute(
        "insert into users (id, email, email_verified) values ('early', 'e@example.com', false)",
      );
    expect((await provisionUser(db.tp.fork(), { id: 'early', name: 'E' })).user.email).toBeNull();
    expect(await rows()).toEqual([
      { id: 'alice', email: 'a@example.com', email_verified: true },
      { id: 'early', email: null, email_verified: false },
    ]);
  });

  it('tp.provisionUser remembers claims with their verification: a claim that becomes verified is written', async () => {
    expect((await db.tp.provisionUser({ id: 'dora', email: 'd@example.com' })).email).toBeNull();
    expect(
      (await db.tp.provisionUser({ id: 'dora', email: 'd@example.com', emailVerified: true }))
        .email,
    ).toBe('d@example.com');
    expect(await rows()).toEqual([{ id: 'dora', email: 'd@example.com', email_verified: true }]);
  });

  it.each([
    [{ id: '' }, 'id'],
    [{ id: 'x'.repeat(256) }, 'id'],
    [{ id: 'a\u0000b' }, 'id'],
    [{ id: 'bob', email: 'not an email' }, 'email'],
    [{ id: 'bob', name: 'n'.repeat(201) }, 'name'],
  ])('refuses bad claims %j, naming %s, and creates nothing', async (claims, field) => {
    const error = await provisionUser(db.tp.fork(), claims).catch((caught: unknown) => caught);
    expect(isTaskpulseError(error, 'VALIDATION')).toBe(true);
    expect(
      (error as { issues: { path: unknown[] }[] }).issues.map((issue) => issue.path[0]),
    ).toContain(field);
    expect(await db.tp.fork().execute('select id from users')).toEqual([]);
  });

  it('answers me with the calling user, and NOT_FOUND before provisioning', async () => {
    await expect(getMe(db.tp.context({ id: 'nobody' }))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const { user } = await provisionUser(db.tp.fork(), { id: 'carol', name: 'Carol' });
    expect(await getMe(db.tp.context({ id: 'carol' }))).toEqual(user);
  });

  it('remembers unchanged claims in tp.provisionUser, and follows changed ones', async () => {
    const user = await db.tp.provisionUser({ id: 'dave', name: 'Dave' });
    await db.tp
      .fork()
      .execute("update users set name = 'changed behind the back' where id = 'dave'");
    // unchanged claims: served from memory, no query
    expect(await db.tp.provisionUser({ id: 'dave', name: 'Dave' })).toEqual(user);
    const renamed = await db.tp.provisionUser({ id: 'dave', name: 'David' });
    expect(renamed.name).toBe('David');
  });
});
