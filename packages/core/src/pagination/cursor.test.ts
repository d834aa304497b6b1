import { beforeAll, describe, expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { as, createUsers, outcome } from '../../test/fixtures.ts';
import { createConversation, listConversations, listMessages } from '../chat/index.ts';
import { listShares } from '../sharing/index.ts';
import { createTask, listTasks } from '../tasks/index.ts';
import { listTeams } from '../teams/index.ts';
import { cursorSchema, decodeCursor, encodeCursor } from './cursor.ts';

const ID = '01a2027d-7d68-72b9-9af5-166a0a39ab01';
const at = (createdAt: string) => encodeCursor({ createdAt, id: ID });

// The cursor's shape check let these through; PostgreSQL then refused the timestamp and the
// list failed with INTERNAL (a 500 over HTTP) instead of a validation error.
const IMPOSSIBLE = [
  '2026-02-30T00:00:00.000000Z',
  '2026-02-29T12:00:00.000000Z',
  '2026-13-01T00:00:00.000000Z',
  '2026-00-10T00:00:00.000000Z',
  '2026-01-00T00:00:00.000000Z',
  '2026-01-01T24:00:00.000000Z',
  '2026-01-01T23:60:00.000000Z',
  '2026-01-01T23:59:60.000000Z',
  '0000-01-01T00:00:00.000000Z',
  '9999-99-99T99:99:99.999999Z',
];

describe('page cursors', () => {
  it('decode what encodeCursor made, leap days included', () => {
    for (const createdAt of [
      '2026-11-22T09:01:57.320123Z',
      '2024-02-29T23:59:59.999999Z',
      '2000-02-29T00:00:00.000000Z',
      '0001-01-01T00:00:00.000000Z',
      '9999-12-31T23:59:59.999999Z',
    ]) {
      expect(decodeCursor(at(createdAt))).toEqual({ createdAt, id: ID });
    }
  });

  it.each(IMPOSSIBLE)(
    'regression: a cursor at an impossible instant (%s) is not a cursor, rather than a 500',
    (createdAt) => {
      expect(decodeCursor(at(createdAt))).toBeUndefined();
      expect(cursorSchema.safeParse(at(createdAt)).success).toBe(false);
    },
  );
});

describeDatabases('lists given a cursor at an impossible instant', (db) => {
  let taskId: string;
  let conversationId: string;
  beforeAll(async () => {
    await createUsers(db.tp, ['cursor-user']);
    taskId = (await createTask(as(db.tp, 'cursor-user'), { title: 'paged' })).id;
    conversationId = (await createConversation(as(db.tp, 'cursor-user'), {})).id;
  });

  it('regression: tasks, shares, teams, conversations and messages answer VALIDATION on cursor, not INTERNAL', async () => {
    const ctx = () => as(db.tp, 'cursor-user');
    for (const createdAt of IMPOSSIBLE) {
      const cursor = at(createdAt);
      expect(await outcome(() => listTasks(ctx(), { cursor }))).toBe('VALIDATION');
      expect(await outcome(() => listShares(ctx(), { taskId, cursor }))).toBe('VALIDATION');
      expect(await outcome(() => listTeams(ctx(), { cursor }))).toBe('VALIDATION');
      expect(await outcome(() => listConversations(ctx(), { cursor }))).toBe('VALIDATION');
      expect(await outcome(() => listMessages(ctx(), { conversationId, cursor }))).toBe(
        'VALIDATION',
      );
    }
  });
});
