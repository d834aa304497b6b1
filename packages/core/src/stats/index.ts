export {
  type Counters,
  type RebuildCountersResult,
  readCounters,
  rebuildCounters,
} from './counters.ts';
export {
  createDashboard,
  type Dashboard,
  type LiveEmission,
  type LiveOptions,
} from './dashboard.ts';
export {
  type ActivityFigureName,
  activityFigures,
  BREAKDOWN_FIGURES,
  countFiguresSql,
  type FigureFilter,
  type FigureName,
  figureListFilters,
  SHARED_FIGURES,
  STATISTICS_FIGURES,
} from './figures.ts';
export {
  type Activity,
  type ActivityInput,
  activityInput,
  activitySchema,
  type Breakdown,
  breakdownSchema,
  intervalSchema,
  type LiveSnapshot,
  liveSnapshotSchema,
  noInput,
  type SharedStats,
  type Statistics,
  sharedStatsSchema,
  statisticsSchema,
  type TimeWindow,
  type TrendDay,
  type TrendInput,
  timeWindowSchema,
  timeZoneSchema,
  trendDaySchema,
  trendInput,
  trendSchema,
  weekStartsOnSchema,
} from './schemas.ts';
export {
  getActivity,
  getBreakdown,
  getSharedStats,
  getStatistics,
  getTrend,
} from './stats-service.ts';
export { assertKnownTimeZone, type WindowRow, windowSql } from './time-window.ts';
