import { expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { createUsers } from '../../test/fixtures.ts';
import { createConversation } from '../chat/index.ts';
import { createTask } from '../tasks/index.ts';
import { createTeam } from '../teams/index.ts';
import { databaseErrorOf, isConstraintViolation, SQLSTATE } from './errors.ts';

describeDatabases('database errors by SQLSTATE and constraint', (db) => {
  it('reads the SQLSTATE and constraint of a unique violation, through MikroORM and raw', async () => {
    await createUsers(db.tp, ['dup-a']);
    const em = db.tp.fork();
    await em.execute(`update users set email = 'same@example.com' where id = 'dup-a'`);
    await createUsers(db.tp, ['dup-b']);
    const caught = await em
      .execute(`update users set email = 'same@example.com' where id = 'dup-b'`)
      .catch((error: unknown) => error);
    expect(databaseErrorOf(caught)).toEqual({
      sqlState: SQLSTATE.uniqueViolation,
      constraint: 'users_email_unique',
    });
    expect(isConstraintViolation(caught, SQLSTATE.uniqueViolation, ['users_email_unique'])).toBe(
      true,
    );
    expect(isConstraintViolation(caught, SQLSTATE.uniqueViolation, ['other_unique'])).toBe(false);
    expect(isConstraintViolation(caught, SQLSTATE.foreignKeyViolation)).toBe(false);
    const raw = await em
      .getKysely()
      .updateTable('users' as never)
      .set({ email: 'same@example.com' } as never)
      .where('id' as never, '=', 'dup-b' as never)
      .execute()
      .catch((error: unknown) => error);
    expect(databaseErrorOf(raw)).toEqual({
      sqlState: SQLSTATE.uniqueViolation,
      constraint: 'users_email_unique',
    });
  });

  it('answers NOT_FOUND, provision first, to a write by a caller without a user row', async () => {
    const ghost = db.tp.context({ id: 'never-provisioned' });
    const expected = {
      code: 'NOT_FOUND',
      message: expect.stringContaining('provisionUser()'),
    };
    await expect(createTask(ghost, { title: 'x' })).rejects.toMatchObject(expected);
    await expect(createTeam(ghost, { name: 'x' })).rejects.toMatchObject(expected);
    await expect(createConversation(ghost, { title: 'x' })).rejects.toMatchObject(expected);
  });

  it('is nothing for errors that are not the database’s', () => {
    expect(databaseErrorOf(new Error('x'))).toBeUndefined();
    expect(databaseErrorOf(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBeUndefined();
    expect(databaseErrorOf('23505')).toBeUndefined();
  });
});
