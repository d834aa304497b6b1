/**
 * "Today" and "this week" per SPEC.md, computed by PostgreSQL from the IANA zone, at DST
 * changes, odd offsets and local midnight. Expected instants were worked out independently
 * (Python's zoneinfo).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { as, createUsers, outcome } from '../../test/fixtures.ts';
import { newId } from '../schema/entities.ts';
import { getActivity, getTrend } from './stats-service.ts';

const HOUR = 3_600_000;

// [now, zone, weekStartsOn, today.from, today.to, week.from, week.to]
const WINDOWS: [string, string, number, string, string, string, string][] = [
  // New York, spring forward: a 23-hour day
  [
    '2026-03-08T12:00:00Z',
    'America/New_York',
    1,
    '2026-03-08T05:00:00Z',
    '2026-03-09T04:00:00Z',
    '2026-03-02T05:00:00Z',
    '2026-03-09T04:00:00Z',
  ],
  // New York, fall back: a 25-hour day, in a week that started on Monday / on Sunday
  [
    '2026-11-01T12:00:00Z',
    'America/New_York',
    1,
    '2026-11-01T04:00:00Z',
    '2026-11-02T05:00:00Z',
    '2026-10-26T04:00:00Z',
    '2026-11-02T05:00:00Z',
  ],
  [
    '2026-11-01T12:00:00Z',
    'America/New_York',
    0,
    '2026-11-01T04:00:00Z',
    '2026-11-02T05:00:00Z',
    '2026-11-01T04:00:00Z',
    '2026-11-08T05:00:00Z',
  ],
  // Berlin on both changes, the second with weeks starting on Saturday
  [
    '2026-03-29T12:00:00Z',
    'Europe/Berlin',
    1,
    '2026-03-28T23:00:00Z',
    '2026-03-29T22:00:00Z',
    '2026-03-22T23:00:00Z',
    '2026-03-29T22:00:00Z',
  ],
  [
    '2026-10-25T12:00:00Z',
    'Europe/Berlin',
    6,
    '2026-10-24T22:00:00Z',
    '2026-10-25T23:00:00Z',
    '2026-10-23T22:00:00Z',
    '2026-10-30T23:00:00Z',
  ],
  // Kolkata (+5:30): a millisecond before and at local midnight
  [
    '2026-11-22T18:29:59.999Z',
    'Asia/Kolkata',
    1,
    '2026-11-21T18:30:00Z',
    '2026-11-22T18:30:00Z',
    '2026-11-15T18:30:00Z',
    '2026-11-22T18:30:00Z',
  ],
  [
    '2026-11-22T18:30:00Z',
    'Asia/Kolkata',
    1,
    '2026-11-22T18:30:00Z',
    '2026-11-23T18:30:00Z',
    '2026-11-22T18:30:00Z',
    '2026-11-29T18:30:00Z',
  ],
  // Kathmandu (+5:45): the same
  [
    '2026-11-22T18:14:59.999Z',
    'Asia/Kathmandu',
    1,
    '2026-11-21T18:15:00Z',
    '2026-11-22T18:15:00Z',
    '2026-11-15T18:15:00Z',
    '2026-11-22T18:15:00Z',
  ],
  [
    '2026-11-22T18:15:00Z',
    'Asia/Kathmandu',
    1,
    '2026-11-22T18:15:00Z',
    '2026-11-23T18:15:00Z',
    '2026-11-22T18:15:00Z',
    '2026-11-29T18:15:00Z',
  ],
  // Lord Howe: a 30-minute DST, so 23.5- and 24.5-hour days
  [
    '2026-10-04T06:00:00Z',
    'Australia/Lord_Howe',
    1,
    '2026-10-03T13:30:00Z',
    '2026-10-04T13:00:00Z',
    '2026-09-27T13:30:00Z',
    '2026-10-04T13:00:00Z',
  ],
  [
    '2026-04-05T06:00:00Z',
    'Australia/Lord_Howe',
    0,
    '2026-04-04T13:00:00Z',
    '2026-04-05T13:30:00Z',
    '2026-04-04T13:00:00Z',
    '2026-04-11T13:30:00Z',
  ],
  // Chatham: +12:45 / +13:45
  [
    '2026-09-27T00:00:00Z',
    'Pacific/Chatham',
    1,
    '2026-09-26T11:15:00Z',
    '2026-09-27T10:15:00Z',
    '2026-09-20T11:15:00Z',
    '2026-09-27T10:15:00Z',
  ],
  [
    '2026-04-05T06:00:00Z',
    'Pacific/Chatham',
    6,
    '2026-04-04T10:15:00Z',
    '2026-04-05T11:15:00Z',
    '2026-04-03T10:15:00Z',
    '2026-04-10T11:15:00Z',
  ],
  // UTC, weeks starting Sunday, Monday, Saturday (2026-11-22 is a Sunday)
  [
    '2026-11-22T12:00:00Z',
    'UTC',
    0,
    '2026-11-22T00:00:00Z',
    '2026-11-23T00:00:00Z',
    '2026-11-22T00:00:00Z',
    '2026-11-29T00:00:00Z',
  ],
  [
    '2026-11-22T12:00:00Z',
    'UTC',
    1,
    '2026-11-22T00:00:00Z',
    '2026-11-23T00:00:00Z',
    '2026-11-16T00:00:00Z',
    '2026-11-23T00:00:00Z',
  ],
  [
    '2026-11-22T12:00:00Z',
    'UTC',
    6,
    '2026-11-22T00:00:00Z',
    '2026-11-23T00:00:00Z',
    '2026-11-21T00:00:00Z',
    '2026-11-28T00:00:00Z',
  ],
  // UTC just before and at midnight
  [
    '2026-11-21T23:59:59.999Z',
    'UTC',
    1,
    '2026-11-21T00:00:00Z',
    '2026-11-22T00:00:00Z',
    '2026-11-16T00:00:00Z',
    '2026-11-23T00:00:00Z',
  ],
  [
    '2026-11-22T00:00:00Z',
    'UTC',
    1,
    '2026-11-22T00:00:00Z',
    '2026-11-23T00:00:00Z',
    '2026-11-16T00:00:00Z',
    '2026-11-23T00:00:00Z',
  ],
];

const iso = (value: string) => new Date(value).toISOString();

describeDatabases('time windows', (db) => {
  beforeEach(async () => {
    await db.tp.fork().execute('truncate users, tasks cascade');
    await createUsers(db.tp, ['alice']);
  });

  it.each(WINDOWS)(
    'at %s in %s with weeks from day %i',
    async (now, timeZone, weekStartsOn, tf, tt, wf, wt) => {
      const activity = await getActivity(
        as(db.tp, 'alice', () => new Date(now)),
        { timeZone, weekStartsOn },
      );
      expect(activity.window).toEqual({
        timeZone,
        today: { from: iso(tf), to: iso(tt) },
        week: { from: iso(wf), to: iso(wt) },
      });
    },
  );

  it('counts a task at today.from but not one a millisecond earlier, nor one at today.to', async () => {
    const insert = (createdAt: Date, completedAt: Date | null = null) =>
      db.tp
        .fork()
        .execute(
          'insert into tasks (id, user_id, title, status, created_at, completed_at) values (?, ?, ?, ?, ?, ?)',
          [newId(), 'alice', 't', completedAt ? 'completed' : 'pending', createdAt, completedAt],
        );
    // Chatham's 23-hour day: from 2026-09-26T11:15Z to 2026-09-27T10:15Z
    const from = Date.parse('2026-09-26T11:15:00Z');
    const to = Date.parse('2026-09-27T10:15:00Z');
    await insert(new Date(from - 1), new Date(from - 1)); // yesterday
    await insert(new Date(from), new Date(from)); // first instant of today
    await insert(new Date(to - 1), new Date(to - 1)); // last instant of today
    await insert(new Date(to - 1), new Date(to)); // completed tomorrow
    const ctx = as(db.tp, 'alice', () => new Date(to - HOUR));
    const activity = await getActivity(ctx, { timeZone: 'Pacific/Chatham' });
    expect(activity).toMatchObject({
      createdToday: 3,
      completedToday: 2,
      createdThisWeek: 4,
      completedThisWeek: 3,
    });
    expect(activity.completionRate).toBe(1);
  });

  it('gives one zero-filled entry per local day, oldest first, across a 25-hour day', async () => {
    const insert = (at: string, done = false) =>
      db.tp
        .fork()
        .execute(
          'insert into tasks (id, user_id, title, status, created_at, completed_at) values (?, ?, ?, ?, ?, ?)',
          [newId(), 'alice', 't', done ? 'completed' : 'pending', at, done ? at : null],
        );
    await insert('2026-11-01T04:30:00Z'); // 00:30 EDT on Nov 1
    await insert('2026-11-02T04:30:00Z', true); // 23:30 EST on Nov 1: the 25th hour
    await insert('2026-11-02T05:00:00Z'); // 00:00 EST on Nov 2
    await insert('2026-10-29T03:59:59Z'); // 23:59:59 EDT on Oct 28, outside 4 days
    const ctx = as(db.tp, 'alice', () => new Date('2026-11-03T12:00:00Z'));
    expect(await getTrend(ctx, { days: 4, timeZone: 'America/New_York' })).toEqual([
      { date: '2026-10-31', created: 0, completed: 0 },
      { date: '2026-11-01', created: 2, completed: 1 },
      { date: '2026-11-02', created: 1, completed: 0 },
      { date: '2026-11-03', created: 0, completed: 0 },
    ]);
    const defaults = await getTrend(ctx);
    expect(defaults).toHaveLength(30);
    expect(defaults.at(-1)?.date).toBe('2026-11-03');
    expect((await getTrend(ctx, { days: 366 })).at(0)?.date).toBe('2025-11-03');
    expect(await getTrend(ctx, { days: 1, timeZone: 'Pacific/Chatham' })).toEqual([
      { date: '2026-11-04', created: 0, completed: 0 },
    ]);
  });

  describe('bad input', () => {
    it.each([
      'Mars/Olympus_Mons',
      'Europe/Berlin; drop table tasks',
      '+05:30',
      'EST5EDT,M3.2.0,M11.1.0',
      '',
      'utc ',
    ])('refuses the zone %j as a validation error naming timeZone', async (timeZone) => {
      const error = await getActivity(as(db.tp, 'alice'), { timeZone }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: 'VALIDATION' });
      expect((error as { issues: { path: unknown[] }[] }).issues[0]?.path).toEqual(['timeZone']);
      expect(await outcome(() => getTrend(as(db.tp, 'alice'), { timeZone }))).toBe('VALIDATION');
    });

    it.each([[{ days: 0 }], [{ days: 367 }], [{ days: 1.5 }], [{ weekStartsOn: 7 }]])(
      'refuses %j',
      async (input) => {
        const call =
          'days' in input
            ? () => getTrend(as(db.tp, 'alice'), input as never)
            : () => getActivity(as(db.tp, 'alice'), input as never);
        expect(await outcome(call)).toBe('VALIDATION');
      },
    );
  });
});
