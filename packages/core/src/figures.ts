/**
 * `@taskpulse/core/figures`: the dashboard's figures as `tasks.list` filters, with no runtime
 * dependency, for browsers and other clients that open the list behind a number. The same
 * definitions are what the statistics count, so a figure and its list cannot disagree.
 *
 * @example
 * ```ts
 * import { figureListFilters } from '@taskpulse/core/figures';
 *
 * const activity = await client.dashboard.activity.query({ timeZone });
 * const filter = figureListFilters(activity.window)['activity.createdToday'];
 * const page = await client.tasks.list.query({ ...filter, limit: 50 });
 * ```
 */
export {
  type ActivityFigureName,
  activityFigures,
  BREAKDOWN_FIGURES,
  type FigureFilter,
  type FigureName,
  figureListFilters,
  SHARED_FIGURES,
  STATISTICS_FIGURES,
} from './stats/figure-definitions.ts';
export type { TimeWindow } from './stats/schemas.ts';
export type { TaskFilterInput } from './tasks/schemas.ts';
