import {
  type Activity,
  activitySchema,
  type Breakdown,
  breakdownSchema,
  type SharedStats,
  type Statistics,
  sharedStatsSchema,
  statisticsSchema,
  type TrendDay,
  timeZoneSchema,
  trendInput,
  trendSchema,
  weekStartsOnSchema,
} from '@taskpulse/core';
import { z } from 'zod';
import { defineTool, READ_ONLY } from './tool.ts';

/** The figures `get-dashboard` can return, as the dashboard's panels name them. */
export const DASHBOARD_FIGURES = [
  'statistics',
  'activity',
  'breakdown',
  'shared',
  'trend',
] as const;

const dashboardInput = z
  .object({
    figures: z
      .array(z.enum(DASHBOARD_FIGURES))
      .min(1)
      .default([...DASHBOARD_FIGURES])
      .describe(
        'Which figures to return: statistics (task counts, overdue), activity (created and completed today and this week, completion rate), breakdown (by status and priority), shared (tasks shared with and by the user), trend (created and completed per local day).',
      ),
    timeZone: timeZoneSchema,
    weekStartsOn: weekStartsOnSchema,
    days: trendInput.unwrap().shape.days,
  })
  .strict();

const dashboardOutput = z.object({
  statistics: statisticsSchema.optional(),
  activity: activitySchema.optional(),
  breakdown: breakdownSchema.optional(),
  shared: sharedStatsSchema.optional(),
  trend: trendSchema.optional().describe('One entry per local day, oldest first.'),
});

const percent = (rate: number) => `${Math.round(rate * 100)} %`;

const summaries = {
  statistics: (s: Statistics) =>
    `Statistics: ${s.total} own tasks (${s.pending} pending, ${s.completed} completed), ${s.overdue} overdue; ${s.shared} shared with the user.`,
  activity: (a: Activity) =>
    `Activity (${a.window.timeZone}): ${a.createdToday} created and ${a.completedToday} completed today, ${a.createdThisWeek} created and ${a.completedThisWeek} completed this week; completion rate ${percent(a.completionRate)}.`,
  breakdown: (b: Breakdown) =>
    `Breakdown: ${b.pending} pending, ${b.completed} completed of ${b.total}; priority low ${b.byPriority.low}, medium ${b.byPriority.medium}, high ${b.byPriority.high}.`,
  shared: (s: SharedStats) =>
    `Sharing: ${s.totalShared} tasks shared with the user (${s.viewOnly} to view, ${s.canEdit} to edit); the user shares ${s.sharedByMe} of their own.`,
  trend: (days: TrendDay[]) => {
    const created = days.reduce((sum, day) => sum + day.created, 0);
    const completed = days.reduce((sum, day) => sum + day.completed, 0);
    return `Trend over ${days.length} days (${days[0]?.date} to ${days.at(-1)?.date}): ${created} created, ${completed} completed.`;
  },
};

export const getDashboard = defineTool({
  name: 'get-dashboard',
  title: 'Get the dashboard',
  description:
    "Reads the user's dashboard figures, the same numbers their live dashboard shows: any of statistics, activity, breakdown, shared and trend in one call (all by default). Activity and trend count local days in timeZone (an IANA name such as Europe/Berlin; ask the user or use their zone, default UTC); weeks start on weekStartsOn (0 Sunday … 6 Saturday, default 1 Monday); trend covers the last `days` days (1–366, default 30), today included. To list the tasks behind a count, use find-tasks with the matching filter.",
  input: dashboardInput,
  output: dashboardOutput,
  annotations: READ_ONLY,
  run: async ({ taskpulse, context }, input) => {
    const { dashboard } = taskpulse;
    const { timeZone, weekStartsOn, days } = input;
    const wanted = new Set(input.figures);
    const when = <T>(figure: (typeof DASHBOARD_FIGURES)[number], read: () => Promise<T>) =>
      wanted.has(figure) ? read() : Promise.resolve(undefined);
    const [statistics, activity, breakdown, shared, trend] = await Promise.all([
      when('statistics', () => dashboard.statistics(context)),
      when('activity', () => dashboard.activity(context, { timeZone, weekStartsOn })),
      when('breakdown', () => dashboard.breakdown(context)),
      when('shared', () => dashboard.shared(context)),
      when('trend', () => dashboard.trend(context, { days, timeZone })),
    ]);
    const data = { statistics, activity, breakdown, shared, trend };
    const lines = [
      statistics && summaries.statistics(statistics),
      activity && summaries.activity(activity),
      breakdown && summaries.breakdown(breakdown),
      shared && summaries.shared(shared),
      trend && summaries.trend(trend),
    ].filter((line): line is string => typeof line === 'string');
    return {
      data: Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined)),
      summary: lines.join('\n'),
    };
  },
});
