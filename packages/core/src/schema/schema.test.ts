import {
  CheckConstraintViolationException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeDatabases, describePostgres } from '../../test/databases.ts';
import { createTaskpulse } from '../create-taskpulse.ts';
import { migrationsList } from '../db/migrations/index.ts';
import { newId } from './entities.ts';

const TABLES = [
  'conversations',
  'messages',
  'task_shares',
  'tasks',
  'team_members',
  'teams',
  'users',
];
// derived data kept by triggers: the per-user dashboard counters
const COUNTER_TABLES = ['task_activity_counts', 'task_counts', 'task_due_counts'];
// writes carried out under an Idempotency-Key (SPEC "Retry-safe writes")
const KEY_TABLES = ['idempotency_keys'];

describeDatabases('schema', (db) => {
  const sql = async <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    db.tp.fork().execute<T[]>(query, params);
  const count = async (table: string, where = 'true', params: unknown[] = []) => {
    const [row] = await sql<{ n: number }>(
      `select count(*)::int as n from ${table} where ${where}`,
      params,
    );
    return row?.n;
  };

  const addUser = (id: string) =>
    sql('insert into users (id, email, name) values (?, ?, ?)', [id, `${id}@example.com`, id]);
  const addTask = async (userId: string, fields: Record<string, unknown> = {}) => {
    const id = newId();
    const columns = { id, user_id: userId, title: 'a task', ...fields };
    await sql(
      `insert into tasks (${Object.keys(columns).join(', ')}) values (${Object.keys(columns)
        .map(() => '?')
        .join(', ')})`,
      Object.values(columns),
    );
    return id;
  };
  const addTeam = async (ownerId: string) => {
    const id = newId();
    await sql('insert into teams (id, name, owner_id) values (?, ?, ?)', [id, 'team', ownerId]);
    await sql('insert into team_members (id, team_id, user_id, role) values (?, ?, ?, ?)', [
      newId(),
      id,
      ownerId,
      'owner',
    ]);
    return id;
  };

  beforeEach(async () => {
    await sql(`truncate ${TABLES.join(', ')} cascade`);
  });

  describe('migrations', () => {
    it('creates all seven tables of SPEC.md, the counter tables and the idempotency keys, from an empty database', async () => {
      const rows = await sql<{ table_name: string }>(
        `select table_name from information_schema.tables
         where table_schema = current_schema() and table_name <> 'mikro_orm_migrations'
         order by table_name`,
      );
      expect(rows.map((row) => row.table_name)).toEqual(
        [...TABLES, ...COUNTER_TABLES, ...KEY_TABLES].sort(),
      );
      const applied = await sql<{ name: string }>('select name from mikro_orm_migrations');
      expect(applied.map((row) => row.name)).toEqual(migrationsList.map((m) => m.name));
    });

    it('describes the same schema as the entities (the schema diff is empty)', async () => {
      const diff = await db.tp.orm.schema.getUpdateSchemaSQL({ wrap: false });
      expect(diff.trim()).toBe('');
    });

    it('applies nothing the second time and has nothing pending', async () => {
      expect(await db.tp.migrate()).toEqual({ applied: [] });
      expect(await db.tp.pendingMigrations()).toEqual([]);
    });

    it('names every index and constraint as the entities do', async () => {
      const indexes = await sql<{ indexname: string }>(
        `select indexname from pg_indexes where schemaname = current_schema() order by indexname`,
      );
      expect(indexes.map((row) => row.indexname)).toEqual(
        expect.arrayContaining([
          'tasks_user_created_idx',
          'tasks_team_created_idx',
          'task_shares_recipient_idx',
          'task_shares_task_recipient_unique',
          'team_members_team_user_unique',
          'team_members_user_idx',
          'conversations_user_created_idx',
          'messages_conversation_created_idx',
          'users_email_unique',
          'tasks_user_pending_due_idx',
          'idempotency_keys_expires_idx',
        ]),
      );
    });
  });

  describe('constraints enforced by the database itself', () => {
    beforeEach(async () => {
      await addUser('alice');
      await addUser('bob');
    });

    it.each([
      ['an unknown status', { status: 'archived' }],
      ['an unknown priority', { priority: 'urgent' }],
      ['an empty title', { title: '' }],
      ['a title of 201 characters', { title: 'x'.repeat(201) }],
      ['a description of 10,001 characters', { description: 'x'.repeat(10_001) }],
      ['completed without completed_at', { status: 'completed' }],
      ['completed_at on a pending task', { completed_at: new Date() }],
      ['version 0', { version: 0 }],
    ])('refuses a task with %s', async (_, fields) => {
      await expect(addTask('alice', fields)).rejects.toBeInstanceOf(
        CheckConstraintViolationException,
      );
      expect(await count('tasks')).toBe(0);
    });

    it('accepts a title of 200 characters, counted as characters not bytes', async () => {
      await addTask('alice', { title: '😀'.repeat(200) });
      expect(await count('tasks')).toBe(1);
    });

    it('refuses an unknown share permission, member role and message role', async () => {
      const taskId = await addTask('alice');
      await expect(
        sql(
          'insert into task_shares (id, task_id, shared_with_user_id, shared_by_user_id, permission) values (?, ?, ?, ?, ?)',
          [newId(), taskId, 'bob', 'alice', 'admin'],
        ),
      ).rejects.toBeInstanceOf(CheckConstraintViolationException);
      const teamId = await addTeam('alice');
      await expect(
        sql('insert into team_members (id, team_id, user_id, role) values (?, ?, ?, ?)', [
          newId(),
          teamId,
          'bob',
          'boss',
        ]),
      ).rejects.toBeInstanceOf(CheckConstraintViolationException);
      const conversationId = newId();
      await sql('insert into conversations (id, user_id) values (?, ?)', [conversationId, 'alice']);
      await expect(
        sql(
          'insert into messages (id, conversation_id, user_id, role, content) values (?, ?, ?, ?, ?)',
          [newId(), conversationId, 'alice', 'robot', 'hi'],
        ),
      ).rejects.toBeInstanceOf(CheckConstraintViolationException);
      await expect(
        sql(
          'insert into messages (id, conversation_id, user_id, role, content) values (?, ?, ?, ?, ?)',
          [newId(), conversationId, 'alice', 'user', ''],
        ),
      ).rejects.toBeInstanceOf(CheckConstraintViolationException);
    });

    it('refuses a team name over 100 characters', async () => {
      await expect(
        sql('insert into teams (id, name, owner_id) values (?, ?, ?)', [
          newId(),
          'x'.repeat(101),
          'alice',
        ]),
      ).rejects.toBeInstanceOf(CheckConstraintViolationException);
    });

    it('refuses a second share of one task with the same user', async () => {
      const taskId = await addTask('alice');
      const share = () =>
        sql(
          'insert into task_shares (id, task_id, shared_with_user_id, shared_by_user_id, permission) values (?, ?, ?, ?, ?)',
          [newId(), taskId, 'bob', 'alice', 'view'],
        );
      await share();
      await expect(share()).rejects.toBeInstanceOf(UniqueConstraintViolationException);
      expect(await count('task_shares')).toBe(1);
    });

    it('refuses a second membership of one user in a team', async () => {
      const teamId = await addTeam('alice');
      await expect(
        sql('insert into team_members (id, team_id, user_id, role) values (?, ?, ?, ?)', [
          newId(),
          teamId,
          'alice',
          'member',
        ]),
      ).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    });

    it('refuses two users with one email, and lets any number have none', async () => {
      await expect(
        sql('insert into users (id, email) values (?, ?)', ['carol', 'alice@example.com']),
      ).rejects.toBeInstanceOf(UniqueConstraintViolationException);
      await sql('insert into users (id) values (?), (?)', ['dave', 'erin']);
      expect(await count('users', 'email is null')).toBe(2);
    });
  });

  describe('cascades', () => {
    beforeEach(async () => {
      await addUser('alice');
      await addUser('bob');
    });

    it('deleting a conversation deletes its messages', async () => {
      const conversationId = newId();
      await sql('insert into conversations (id, user_id) values (?, ?)', [conversationId, 'alice']);
      for (const content of ['hello', 'world']) {
        await sql(
          'insert into messages (id, conversation_id, user_id, role, content) values (?, ?, ?, ?, ?)',
          [newId(), conversationId, 'alice', 'user', content],
        );
      }
      await sql('delete from conversations where id = ?', [conversationId]);
      expect(await count('messages')).toBe(0);
    });

    it('deleting a task deletes its shares', async () => {
      const taskId = await addTask('alice');
      await sql(
        'insert into task_shares (id, task_id, shared_with_user_id, shared_by_user_id, permission) values (?, ?, ?, ?, ?)',
        [newId(), taskId, 'bob', 'alice', 'edit'],
      );
      await sql('delete from tasks where id = ?', [taskId]);
      expect(await count('task_shares')).toBe(0);
    });

    it('deleting a user deletes everything of theirs, and nothing of anyone else', async () => {
      const aliceTask = await addTask('alice');
      const bobTask = await addTask('bob');
      await sql(
        'insert into task_shares (id, task_id, shared_with_user_id, shared_by_user_id, permission) values (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)',
        [newId(), aliceTask, 'bob', 'alice', 'view', newId(), bobTask, 'alice', 'bob', 'edit'],
      );
      const aliceTeam = await addTeam('alice');
      const bobTeam = await addTeam('bob');
      await sql('insert into team_members (id, team_id, user_id, role) values (?, ?, ?, ?)', [
        newId(),
        bobTeam,
        'alice',
        'member',
      ]);
      const conversationId = newId();
      await sql('insert into conversations (id, user_id) values (?, ?)', [conversationId, 'alice']);
      await sql(
        'insert into messages (id, conversation_id, user_id, role, content) values (?, ?, ?, ?, ?)',
        [newId(), conversationId, 'alice', 'user', 'hi'],
      );

      await sql('delete from users where id = ?', ['alice']);

      expect(await count('tasks', 'user_id = ?', ['alice'])).toBe(0);
      expect(await count('tasks', 'id = ?', [bobTask])).toBe(1);
      expect(await count('task_shares')).toBe(0);
      expect(await count('teams', 'id = ?', [aliceTeam])).toBe(0);
      expect(await count('teams', 'id = ?', [bobTeam])).toBe(1);
      expect(await count('team_members', 'user_id = ?', ['alice'])).toBe(0);
      expect(await count('team_members', 'user_id = ?', ['bob'])).toBe(1);
      expect(await count('conversations')).toBe(0);
      expect(await count('messages')).toBe(0);
    });

    it('deleting a team deletes its members and keeps its tasks with their owners', async () => {
      const teamId = await addTeam('alice');
      await sql('insert into team_members (id, team_id, user_id, role) values (?, ?, ?, ?)', [
        newId(),
        teamId,
        'bob',
        'member',
      ]);
      const aliceTask = await addTask('alice', { team_id: teamId });
      const bobTask = await addTask('bob', { team_id: teamId });

      await sql('delete from teams where id = ?', [teamId]);

      expect(await count('team_members')).toBe(0);
      const rows = await sql<{ id: string; user_id: string; team_id: string | null }>(
        'select id, user_id, team_id from tasks order by user_id',
      );
      expect(rows).toEqual([
        { id: aliceTask, user_id: 'alice', team_id: null },
        { id: bobTask, user_id: 'bob', team_id: null },
      ]);
    });
  });
});

describePostgres('migrations from several processes', (db) => {
  it('runs once when two instances migrate one empty database at the same moment', async () => {
    const url = db.url!;
    // start from an empty schema on this suite's own database
    await db.tp.orm.schema.drop({ dropMigrationsTable: true });
    const [a, b] = await Promise.all([
      createTaskpulse({ database: { url } }),
      createTaskpulse({ database: { url } }),
    ]);
    try {
      const results = await Promise.all([a.migrate(), b.migrate()]);
      const applied = results.flatMap((result) => result.applied);
      expect(applied).toEqual(migrationsList.map((m) => m.name));
      expect(await a.pendingMigrations()).toEqual([]);
      expect((await db.tp.orm.schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe('');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
