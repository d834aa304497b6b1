import { z } from 'zod';
import { isoSchema } from '../schema/inputs.ts';

/**
 * An IANA time zone name (`Europe/Berlin`). The names PostgreSQL knows are the valid ones;
 * an unknown name is a `VALIDATION` error.
 * @default 'UTC'
 */
export const timeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .default('UTC')
  .describe('An IANA time zone name such as Europe/Berlin; days start at local midnight there.');

/** The day a week starts on: 0 = Sunday … 6 = Saturday. @default 1 (Monday) */
export const weekStartsOnSchema = z
  .number()
  .int()
  .min(0)
  .max(6)
  .default(1)
  .describe('The day a week starts on: 0 = Sunday … 6 = Saturday.');

/** Input of `dashboard.statistics`, `dashboard.breakdown` and `dashboard.shared`: none. */
export const noInput = z.object({}).strict().optional();

/** Input of `dashboard.activity` (and `dashboard.live`). */
export const activityInput = z
  .object({ timeZone: timeZoneSchema, weekStartsOn: weekStartsOnSchema })
  .strict()
  .default({ timeZone: 'UTC', weekStartsOn: 1 });
export type ActivityInput = z.input<typeof activityInput>;

/** Input of `dashboard.trend`: the last `days` local days, today included. */
export const trendInput = z
  .object({
    /** @default 30 */
    days: z
      .number()
      .int()
      .min(1)
      .max(366)
      .default(30)
      .describe('How many local days, today included.'),
    timeZone: timeZoneSchema,
  })
  .strict()
  .default({ days: 30, timeZone: 'UTC' });
export type TrendInput = z.input<typeof trendInput>;

const count = z.number().int().min(0);

/** `dashboard.statistics`: owned tasks, by status; tasks shared with me; overdue owned tasks. */
export const statisticsSchema = z.object({
  total: count,
  pending: count,
  completed: count,
  shared: count,
  overdue: count,
});
export type Statistics = z.infer<typeof statisticsSchema>;

/** A half-open interval of instants, `[from, to)`. */
export const intervalSchema = z.object({ from: isoSchema, to: isoSchema });

/** The exact instants a time-dependent figure used. */
export const timeWindowSchema = z.object({
  timeZone: z.string(),
  today: intervalSchema,
  week: intervalSchema,
});
export type TimeWindow = z.infer<typeof timeWindowSchema>;

/** `dashboard.activity`. */
export const activitySchema = z.object({
  createdToday: count,
  completedToday: count,
  createdThisWeek: count,
  completedThisWeek: count,
  /** completed ÷ total over all owned tasks; 0 when there are none. */
  completionRate: z.number().min(0).max(1),
  window: timeWindowSchema,
});
export type Activity = z.infer<typeof activitySchema>;

/** `dashboard.breakdown`: owned tasks by status and priority. */
export const breakdownSchema = z.object({
  pending: count,
  completed: count,
  total: count,
  byPriority: z.object({ low: count, medium: count, high: count }),
});
export type Breakdown = z.infer<typeof breakdownSchema>;

/** `dashboard.shared`. */
export const sharedStatsSchema = z.object({
  /** Tasks shared with me. */
  totalShared: count,
  /** …at `view`. */
  viewOnly: count,
  /** …at `edit`. */
  canEdit: count,
  /** Distinct owned tasks I shared with someone. */
  sharedByMe: count,
});
export type SharedStats = z.infer<typeof sharedStatsSchema>;

/** One local day of `dashboard.trend`. */
export const trendDaySchema = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  created: count,
  completed: count,
});
/** `dashboard.trend`: one entry per local day, oldest first, zero-filled. */
export const trendSchema = z.array(trendDaySchema);
export type TrendDay = z.infer<typeof trendDaySchema>;

/** `dashboard.live`: what each emission carries. */
export const liveSnapshotSchema = z.object({
  statistics: statisticsSchema,
  activity: activitySchema,
});
export type LiveSnapshot = z.infer<typeof liveSnapshotSchema>;
