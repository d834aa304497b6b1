import { beforeAll, describe, expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { as, createUsers, outcome } from '../../test/fixtures.ts';
import { createTask, getTask, listTasks, updateTask } from '../tasks/index.ts';
import { instantSchema, parseTimestamp, toIso } from './inputs.ts';

describe('instants', () => {
  it('reads PostgreSQL timestamps field by field, whatever the year', () => {
    const cases: [string, string][] = [
      ['2026-11-22 09:01:57.320123+00', '2026-11-22T09:01:57.320Z'],
      ['2026-11-22 09:01:57.32+05:30', '2026-11-22T03:31:57.320Z'],
      ['2026-11-22 09:01:57-08', '2026-11-22T17:01:57.000Z'],
      ['1900-01-01 00:00:00+00:09:21', '1899-12-31T23:50:39.000Z'],
      // JavaScript's Date parser reads these as 2001, 2049, 1950 and 1999
      ['0001-01-01 00:00:00+00', '0001-01-01T00:00:00.000Z'],
      ['0049-06-30 12:00:00+00', '0049-06-30T12:00:00.000Z'],
      ['0050-01-01 00:00:00+00', '0050-01-01T00:00:00.000Z'],
      ['0099-12-31 23:59:59.999+00', '0099-12-31T23:59:59.999Z'],
      // and these not at all
      ['0001-01-01 00:00:00+00 BC', '0000-01-01T00:00:00.000Z'],
      ['0002-03-04 05:06:07+00 BC', '-000001-03-04T05:06:07.000Z'],
    ];
    for (const [text, iso] of cases) expect([text, toIso(text)]).toEqual([text, iso]);
    const date = new Date('2026-01-01T00:00:00Z');
    expect(parseTimestamp(date)).toBe(date);
    expect(toIso('2026-11-22T10:00:00.000Z')).toBe('2026-11-22T10:00:00.000Z');
  });

  it('accepts instants from year 0001 to 9999 in UTC, and nothing beyond', () => {
    for (const ok of [
      '0001-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      '0001-01-01T00:59:00+00:59',
    ]) {
      expect([ok, instantSchema.safeParse(ok).success]).toEqual([ok, true]);
    }
    for (const bad of [
      '0000-01-01T00:00:00Z',
      '0001-01-01T00:00:00+01:00',
      '9999-12-31T23:59:59-00:01',
      new Date(Date.UTC(10_000, 0, 1)),
      new Date(-62_135_596_800_001),
    ]) {
      const result = instantSchema.safeParse(bad);
      expect([bad, result.success]).toEqual([bad, false]);
      expect(result.error?.issues).toHaveLength(1);
    }
  });
});

describeDatabases('instants stored and read back', (db) => {
  beforeAll(async () => {
    await createUsers(db.tp, ['old-timer']);
  });
  const ctx = () => as(db.tp, 'old-timer');

  it('regression: a due date in year 0001–0099 came back as 2001–2099', async () => {
    for (const dueAt of [
      '0001-01-01T00:00:00.000Z',
      '0049-06-30T12:00:00.000Z',
      '0099-12-31T23:59:59.999Z',
    ]) {
      const task = await createTask(ctx(), { title: 'ancient', dueAt });
      expect(task.dueAt).toBe(dueAt);
      expect((await getTask(ctx(), { id: task.id })).dueAt).toBe(dueAt);
      const [row] = await db.tp
        .fork()
        .execute<{ due: string }[]>(
          `select to_char(due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as due from tasks where id = ?`,
          [task.id],
        );
      expect(row?.due).toBe(dueAt);
    }
  });

  it('regression: a due date in year 0000 or 10000 failed with INTERNAL; it is a VALIDATION error', async () => {
    for (const dueAt of [
      '0000-01-01T00:00:00Z',
      '0001-01-01T00:00:00+01:00',
      '9999-12-31T23:59:59-01:00',
    ]) {
      expect(await outcome(() => createTask(ctx(), { title: 'too old', dueAt }))).toBe(
        'VALIDATION',
      );
      expect(await outcome(() => listTasks(ctx(), { createdFrom: dueAt }))).toBe('VALIDATION');
    }
    const task = await createTask(ctx(), { title: 'kept' });
    expect(
      await outcome(() => updateTask(ctx(), { id: task.id, dueAt: '0000-06-01T00:00:00Z' })),
    ).toBe('VALIDATION');
    expect((await getTask(ctx(), { id: task.id })).version).toBe(1);
  });

  it('reads a due date written behind its back in 1 BC instead of failing', async () => {
    const task = await createTask(ctx(), { title: 'written by hand' });
    await db.tp
      .fork()
      .execute(`update tasks set due_at = '0001-01-01 00:00:00+00 BC' where id = ?`, [task.id]);
    expect((await getTask(ctx(), { id: task.id })).dueAt).toBe('0000-01-01T00:00:00.000Z');
  });
});
