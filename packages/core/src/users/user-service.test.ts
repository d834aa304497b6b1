import { beforeEach, expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { isTaskpulseError } from '../errors/index.ts';
import { getMe, provisionUser } from './user-service.ts';

describeDatabases('users', (db) => {
  beforeEach(async () => {
    await db.tp.fork().execute('truncate users cascade');
  });

  it('creates a user on first sight and keeps email and name in step with the claims', async () => {
    const first = await provisionUser(db.tp.fork(), {
      id: 'auth0|alice',
      email: 'alice@example.com',
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
      name: 'Alice',
    });
    expect(again).toEqual({ user: first.user, created: false });

    const renamed = await provisionUser(db.tp.fork(), {
      id: 'auth0|alice',
      email: 'a@example.com',
      name: 'Alice B.',
    });
    expect(renamed.created).toBe(false);
    expect(renamed.user).toMatchObject({
      email: 'a@example.com',
      name: 'Alice B.',
      createdAt: first.user.createdAt,
    });
  });

  it('does not take over an email another user has: the user is created without it', async () => {
    await provisionUser(db.tp.fork(), { id: 'alice', email: 'shared@example.com' });
    const { user, created } = await provisionUser(db.tp.fork(), {
      id: 'mallory',
      email: 'shared@example.com',
    });
    expect(created).toBe(true);
    expect(user.email).toBeNull();
    const rows = await db.tp.fork().execute('select id, email from users order by id');
    expect(rows).toEqual([
      { id: 'alice', email: 'shared@example.com' },
      { id: 'mallory', email: null },
    ]);
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
