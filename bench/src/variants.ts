/**
 * The ways of computing each statistic that the bench puts side by side, for one user:
 *
 * - `core`: taskpulse as an app calls it (a fresh `tp.context()` per call, uncached);
 * - `core-count-query`: the design before the counters — the same figures as one
 *   `count(*) FILTER` query over the user's rows, through core's own query builder;
 * - `orm-per-figure`: the naive way, one `em.count()` ORM query per figure, one after another;
 * - `sql-counters`: the floor of the counter design — one hand-written query over the same
 *   counter tables (and overdue buckets), sent with `pg` directly;
 * - `sql-count`: the floor of counting rows — one hand-written `count(*) FILTER` query over
 *   the covering index, sent with `pg` directly.
 */
import {
  BREAKDOWN_FIGURES,
  countFiguresSql,
  getActivity,
  getBreakdown,
  getSharedStats,
  getStatistics,
  getTrend,
  SHARED_FIGURES,
  STATISTICS_FIGURES,
  Task,
  type Taskpulse,
  TaskShare,
} from '@taskpulse/core';
import type pg from 'pg';

/** The zone with a :45 offset that activity and trend are also measured in. */
export const ODD_ZONE = 'Asia/Kathmandu';

/**
 * Every figure measured: activity and trend in UTC and in a :45 zone, trend over 30 and
 * 366 days (`trend` alone is 30 days in UTC).
 */
export const STATISTICS = [
  'statistics',
  'breakdown',
  'shared',
  'activity',
  `activity ${ODD_ZONE}`,
  'trend',
  `trend ${ODD_ZONE}`,
  'trend 366 days',
  `trend 366 days ${ODD_ZONE}`,
] as const;
export type StatisticName = (typeof STATISTICS)[number];

/** The figures read from the activity counters. */
export const ACTIVITY_STATISTICS = STATISTICS.filter(
  (name) => name.startsWith('activity') || name.startsWith('trend'),
);

/** What an activity or trend figure reads: its kind, zone and days. */
function activityParams(name: StatisticName) {
  return {
    kind: name.startsWith('activity') ? ('activity' as const) : ('trend' as const),
    timeZone: name.endsWith(ODD_ZONE) ? ODD_ZONE : 'UTC',
    days: name.includes('366') ? 366 : 30,
  };
}

export const VARIANTS = [
  'core',
  'core-count-query',
  'orm-per-figure',
  'sql-counters',
  'sql-counters-prepared',
  'sql-count',
] as const;
export type VariantName = (typeof VARIANTS)[number];

/** What each variant is, in a sentence (for RESULTS.md). */
export const VARIANT_DESCRIPTIONS: Record<VariantName, string> = {
  core: 'taskpulse core as an app calls it, uncached (a fresh `tp.context()` per call, which forks an entity manager only when a call needs one): for statistics, breakdown and shared one primary-key read of the columns of the per-user counters that the figure needs (statistics adds task_counts_overdue); activity and trend one call of task_activity_at over task_activity_counts (per-user buckets by UTC day, hour and quarter hour)',
  'core-count-query':
    'the previous design, through core’s own query builder: one count(*) FILTER query over the user’s rows',
  'orm-per-figure': 'naive: one MikroORM em.count() per figure, one after another',
  'sql-counters':
    'floor of the counter design: one hand-written query over task_counts (for statistics also the overdue buckets and the current hour, written out inline), sent with pg on a dedicated connection, the values escaped into the text (one simple-protocol message, as core sends it)',
  'sql-counters-prepared':
    'the same hand-written query as a named prepared statement (parsed and planned once per connection): the lowest latency pg reaches for it',
  'sql-count':
    'floor of counting rows: one hand-written count(*) FILTER query over the user’s rows (covering index), sent like sql-counters; for activity and trend this is the design before task_activity_counts (core counted rows the same way)',
};

/** The UTC starts of the month, day and hour of `now` (as the overdue buckets use them). */
function utcStarts(now: Date) {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  return {
    month: new Date(Date.UTC(y, m, 1)),
    day: new Date(Date.UTC(y, m, d)),
    hour: new Date(Date.UTC(y, m, d, now.getUTCHours())),
    week: new Date(Date.UTC(y, m, d - ((now.getUTCDay() + 6) % 7))),
  };
}

/** A hand-written query: its text and its parameters for a user at an instant. */
interface HandWritten {
  text: string;
  params: (me: string, now: Date) => unknown[];
  /** The row as the statistic's result. */
  shape: (row: Record<string, unknown>[]) => unknown;
}

const n = (value: unknown) => Number(value ?? 0);
const byMe = (me: string) => [me];
const atNow = (me: string, now: Date) => [me, now];
const withBuckets = (me: string, now: Date) => {
  const { month, day, hour } = utcStarts(now);
  return [me, now, month, day, hour];
};
const statisticsShape = ([r = {}]: Record<string, unknown>[]) => ({
  total: n(r.total),
  pending: n(r.pending),
  completed: n(r.completed),
  shared: n(r.shared),
  overdue: n(r.overdue),
});
const breakdownShape = ([r = {}]: Record<string, unknown>[]) => ({
  pending: n(r.pending),
  completed: n(r.completed),
  total: n(r.total),
  byPriority: { low: n(r.low), medium: n(r.medium), high: n(r.high) },
});
const sharedShape = ([r = {}]: Record<string, unknown>[]) => ({
  totalShared: n(r.total_shared),
  viewOnly: n(r.view_only),
  canEdit: n(r.can_edit),
  sharedByMe: n(r.shared_by_me),
});

const SQL_COUNTERS: Partial<Record<StatisticName, HandWritten>> = {
  statistics: {
    text: `select c.total, c.pending, c.completed, c.shared_view + c.shared_edit as shared,
      (select coalesce(sum(pending), 0) from task_due_counts where user_id = $1 and span = 'month' and starts_at < $3)
      + (select coalesce(sum(pending), 0) from task_due_counts where user_id = $1 and span = 'day' and starts_at >= $3 and starts_at < $4)
      + (select coalesce(sum(pending), 0) from task_due_counts where user_id = $1 and span = 'hour' and starts_at >= $4 and starts_at < $5)
      + (select count(*) from tasks where user_id = $1 and status = 'pending' and due_at >= $5 and due_at < $2) as overdue
    from task_counts c where c.user_id = $1`,
    params: withBuckets,
    shape: statisticsShape,
  },
  breakdown: {
    text: 'select total, pending, completed, low, medium, high from task_counts where user_id = $1',
    params: byMe,
    shape: breakdownShape,
  },
  shared: {
    text: `select shared_view + shared_edit as total_shared, shared_view as view_only,
      shared_edit as can_edit, shared_by_me from task_counts where user_id = $1`,
    params: byMe,
    shape: sharedShape,
  },
};

const SHARED_WITH_ME = `from task_shares s join tasks t on t.id = s.task_id
  where s.shared_with_user_id = $1 and t.user_id <> $1`;

const SQL_COUNT: Record<'statistics' | 'breakdown' | 'shared' | 'activity' | 'trend', HandWritten> =
  {
    statistics: {
      text: `select count(*) as total, count(*) filter (where status = 'pending') as pending,
      count(*) filter (where status = 'completed') as completed,
      count(*) filter (where status = 'pending' and due_at < $2) as overdue,
      (select count(*) ${SHARED_WITH_ME}) as shared
    from tasks where user_id = $1`,
      params: atNow,
      shape: statisticsShape,
    },
    breakdown: {
      text: `select count(*) as total, count(*) filter (where status = 'pending') as pending,
      count(*) filter (where status = 'completed') as completed,
      count(*) filter (where priority = 'low') as low, count(*) filter (where priority = 'medium') as medium,
      count(*) filter (where priority = 'high') as high
    from tasks where user_id = $1`,
      params: byMe,
      shape: breakdownShape,
    },
    shared: {
      text: `select count(*) as total_shared, count(*) filter (where s.permission = 'view') as view_only,
      count(*) filter (where s.permission = 'edit') as can_edit,
      (select count(*) from tasks o where o.user_id = $1
        and exists (select 1 from task_shares x where x.task_id = o.id)) as shared_by_me
    ${SHARED_WITH_ME}`,
      params: byMe,
      shape: sharedShape,
    },
    activity: {
      text: `with d as (select ($2::timestamptz at time zone $3)::date as day),
    w as (select (day::timestamp at time zone $3) as today_from, ((day + 1)::timestamp at time zone $3) as today_to,
      ((day - ((extract(dow from day)::int + 6) % 7))::timestamp at time zone $3) as week_from,
      ((day - ((extract(dow from day)::int + 6) % 7) + 7)::timestamp at time zone $3) as week_to from d)
    select count(*) filter (where t.created_at >= w.today_from and t.created_at < w.today_to) as created_today,
      count(*) filter (where t.completed_at >= w.today_from and t.completed_at < w.today_to) as completed_today,
      count(*) filter (where t.created_at >= w.week_from and t.created_at < w.week_to) as created_week,
      count(*) filter (where t.completed_at >= w.week_from and t.completed_at < w.week_to) as completed_week,
      count(*) as total, count(*) filter (where t.status = 'completed') as completed
    from w left join tasks t on t.user_id = $1 group by w.today_from`,
      params: (me, now) => [me, now, 'UTC'],
      shape: ([r = {}]) => activityShape(r),
    },
    trend: {
      text: `with span as (
      select (($2::timestamptz at time zone $3)::date - ($4::int - 1)) as first_day, ($2::timestamptz at time zone $3)::date as last_day
    ), bounds as (
      select first_day, last_day, first_day::timestamp at time zone $3 as from_instant,
        (last_day + 1)::timestamp at time zone $3 as to_instant from span
    ), created as (
      select (t.created_at at time zone $3)::date as day, count(*) as n from tasks t, bounds b
      where t.user_id = $1 and t.created_at >= b.from_instant and t.created_at < b.to_instant group by 1
    ), completed as (
      select (t.completed_at at time zone $3)::date as day, count(*) as n from tasks t, bounds b
      where t.user_id = $1 and t.completed_at >= b.from_instant and t.completed_at < b.to_instant group by 1
    )
    select to_char(g.day, 'YYYY-MM-DD') as date, coalesce(c.n, 0) as created, coalesce(k.n, 0) as completed
    from bounds b cross join lateral generate_series(b.first_day, b.last_day, interval '1 day') as g(day)
    left join created c on c.day = g.day::date left join completed k on k.day = g.day::date
    order by g.day`,
      params: (me, now) => [me, now, 'UTC', 30],
      shape: (rows) =>
        rows.map((r) => ({
          date: String(r.date),
          created: n(r.created),
          completed: n(r.completed),
        })),
    },
  };

/** Activity as `dashboard.activity` returns it, without the window. */
function activityShape(r: Record<string, unknown>) {
  const total = n(r.total);
  return {
    createdToday: n(r.created_today),
    completedToday: n(r.completed_today),
    createdThisWeek: n(r.created_week),
    completedThisWeek: n(r.completed_week),
    completionRate: total === 0 ? 0 : n(r.completed) / total,
  };
}

/**
 * The query with its `$n` placeholders replaced by the values, escaped by pg's own
 * `escapeLiteral`: sent as one simple-protocol message, as core's reads are (MikroORM binds
 * values the same way), so that the floor and core differ only by what core adds.
 */
function inline(client: pg.Client, text: string, params: unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, index: string) => {
    const value = params[Number(index) - 1];
    return client.escapeLiteral(value instanceof Date ? value.toISOString() : String(value));
  });
}

/** A hand-written variant, or undefined where a statistic has none. */
function sqlVariant(
  client: pg.Client,
  query: HandWritten | undefined,
  me: string,
  prepared?: string,
): (() => Promise<unknown>) | undefined {
  if (!query) return undefined;
  if (prepared) {
    return async () => {
      const values = query.params(me, new Date());
      const { rows } = await client.query({ name: prepared, text: query.text, values });
      return query.shape(rows);
    };
  }
  return async () => {
    const { rows } = await client.query(inline(client, query.text, query.params(me, new Date())));
    return query.shape(rows);
  };
}

/** The naive variant: one ORM count per figure, in sequence. */
function ormVariant(tp: Taskpulse, name: StatisticName, me: string) {
  switch (name as string) {
    case 'statistics':
      return async () => {
        const em = tp.fork();
        const now = new Date();
        return {
          total: await em.count(Task, { user: me }),
          pending: await em.count(Task, { user: me, status: 'pending' }),
          completed: await em.count(Task, { user: me, status: 'completed' }),
          shared: await em.count(TaskShare, { sharedWithUser: me, task: { user: { $ne: me } } }),
          overdue: await em.count(Task, { user: me, status: 'pending', dueAt: { $lt: now } }),
        };
      };
    case 'breakdown':
      return async () => {
        const em = tp.fork();
        return {
          pending: await em.count(Task, { user: me, status: 'pending' }),
          completed: await em.count(Task, { user: me, status: 'completed' }),
          total: await em.count(Task, { user: me }),
          byPriority: {
            low: await em.count(Task, { user: me, priority: 'low' }),
            medium: await em.count(Task, { user: me, priority: 'medium' }),
            high: await em.count(Task, { user: me, priority: 'high' }),
          },
        };
      };
    case 'shared':
      return async () => {
        const em = tp.fork();
        const received = { sharedWithUser: me, task: { user: { $ne: me } } };
        return {
          totalShared: await em.count(TaskShare, received),
          viewOnly: await em.count(TaskShare, { ...received, permission: 'view' }),
          canEdit: await em.count(TaskShare, { ...received, permission: 'edit' }),
          sharedByMe: await em.count(Task, {
            user: me,
            id: { $in: em.createQueryBuilder(TaskShare, 's').select('s.task') },
          }),
        };
      };
    case 'activity':
      return async () => {
        const em = tp.fork();
        const now = new Date();
        const { day, week } = utcStarts(now);
        const tomorrow = new Date(day.getTime() + 86_400_000);
        const nextWeek = new Date(week.getTime() + 7 * 86_400_000);
        return {
          createdToday: await em.count(Task, { user: me, createdAt: { $gte: day, $lt: tomorrow } }),
          completedToday: await em.count(Task, {
            user: me,
            completedAt: { $gte: day, $lt: tomorrow },
          }),
          createdThisWeek: await em.count(Task, {
            user: me,
            createdAt: { $gte: week, $lt: nextWeek },
          }),
          completedThisWeek: await em.count(Task, {
            user: me,
            completedAt: { $gte: week, $lt: nextWeek },
          }),
          completionRate: await (async () => {
            const total = await em.count(Task, { user: me });
            const completed = await em.count(Task, { user: me, status: 'completed' });
            return total === 0 ? 0 : completed / total;
          })(),
        };
      };
    default:
      // trend: one count per day and kind would be 60 queries, not a fair naive version of a
      // series; activity in another zone: the naive version above is UTC only
      return undefined;
  }
}

/** The figures of the design before the counters, through core's own query builder. */
function countQueryVariant(tp: Taskpulse, name: StatisticName, me: string) {
  const figures = {
    statistics: STATISTICS_FIGURES,
    breakdown: BREAKDOWN_FIGURES,
    shared: SHARED_FIGURES,
  } as const;
  if (name !== 'statistics' && name !== 'breakdown' && name !== 'shared') return undefined;
  const shape = {
    statistics: statisticsShape,
    breakdown: breakdownShape,
    shared: (rows: Record<string, unknown>[]) => rows[0],
  }[name];
  return async () => {
    const { rows } = await countFiguresSql(figures[name], me, new Date()).execute(
      tp.fork().getKysely(),
    );
    return shape(rows);
  };
}

function coreVariant(tp: Taskpulse, name: StatisticName, me: string) {
  const ctx = () => tp.context({ id: me });
  switch (name) {
    case 'statistics':
      return () => getStatistics(ctx());
    case 'breakdown':
      return () => getBreakdown(ctx());
    case 'shared':
      return () => getSharedStats(ctx());
    default: {
      const { kind, timeZone, days } = activityParams(name);
      if (kind === 'activity') {
        return async () => {
          const { window: _, ...counts } = await getActivity(ctx(), { timeZone });
          return counts;
        };
      }
      return () => getTrend(ctx(), { days, timeZone });
    }
  }
}

/** The row count of the design before task_activity_counts, for an activity or trend figure. */
function sqlCountOf(name: StatisticName): HandWritten {
  if (name === 'statistics' || name === 'breakdown' || name === 'shared') return SQL_COUNT[name];
  const { kind, timeZone, days } = activityParams(name);
  const query = SQL_COUNT[kind];
  return {
    ...query,
    params:
      kind === 'activity'
        ? (me, now) => [me, now, timeZone]
        : (me, now) => [me, now, timeZone, days],
  };
}

/** Every variant of `name` for user `me` (those that exist for that statistic). */
export function variantsOf(
  tp: Taskpulse,
  client: pg.Client,
  name: StatisticName,
  me: string,
): Partial<Record<VariantName, () => Promise<unknown>>> {
  const all: Record<VariantName, (() => Promise<unknown>) | undefined> = {
    core: coreVariant(tp, name, me),
    'core-count-query': countQueryVariant(tp, name, me),
    'orm-per-figure': ormVariant(tp, name, me),
    'sql-counters': sqlVariant(client, SQL_COUNTERS[name], me),
    'sql-counters-prepared': sqlVariant(
      client,
      SQL_COUNTERS[name],
      me,
      `floor-${name.replace(/[^a-z0-9]+/gi, '-')}`,
    ),
    'sql-count': sqlVariant(client, sqlCountOf(name), me),
  };
  return Object.fromEntries(Object.entries(all).filter(([, run]) => run !== undefined));
}
