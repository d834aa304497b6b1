/**
 * The dashboard's figures as `tasks.list` filters: plain data with no runtime imports, so that
 * a browser can import them (through `@taskpulse/core/figures`) to open the list behind a
 * number without bundling any server code.
 */
import type { SharePermission } from '../schema/limits.ts';
import type { FilterConditions } from '../tasks/filters.ts';
import type { TaskFilterInput } from '../tasks/schemas.ts';
import type { TimeWindow } from './schemas.ts';

/**
 * A figure's definition: the `tasks.list` filter whose tasks it counts. The statistics read
 * per-user counters that triggers keep (they do not run these conditions); tests compare every
 * figure with the length of its list, and the dashboard opens the list behind a number with them.
 */
export type FigureFilter = {
  scope: 'owned' | 'shared';
  permission?: SharePermission;
} & FilterConditions;

const owned = { scope: 'owned' } as const;
const shared = { scope: 'shared' } as const;

/** The figures of `dashboard.statistics`, each as its `tasks.list` filter. */
export const STATISTICS_FIGURES = {
  total: owned,
  pending: { ...owned, status: 'pending' },
  completed: { ...owned, status: 'completed' },
  shared,
  overdue: { ...owned, overdue: true },
} as const satisfies Record<string, FigureFilter>;

/** The figures of `dashboard.breakdown`, each as its `tasks.list` filter. */
export const BREAKDOWN_FIGURES = {
  pending: { ...owned, status: 'pending' },
  completed: { ...owned, status: 'completed' },
  total: owned,
  low: { ...owned, priority: 'low' },
  medium: { ...owned, priority: 'medium' },
  high: { ...owned, priority: 'high' },
} as const satisfies Record<string, FigureFilter>;

/** The figures of `dashboard.shared`, each as its `tasks.list` filter. */
export const SHARED_FIGURES = {
  totalShared: shared,
  viewOnly: { ...shared, permission: 'view' },
  canEdit: { ...shared, permission: 'edit' },
  sharedByMe: { ...owned, sharedByMe: true },
} as const satisfies Record<string, FigureFilter>;

/** The counts of `dashboard.activity` over a window, each as its `tasks.list` filter. */
export function activityFigures<B>(window: {
  today: { from: B; to: B };
  week: { from: B; to: B };
}) {
  return {
    createdToday: { ...owned, createdFrom: window.today.from, createdTo: window.today.to },
    completedToday: { ...owned, completedFrom: window.today.from, completedTo: window.today.to },
    createdThisWeek: { ...owned, createdFrom: window.week.from, createdTo: window.week.to },
    completedThisWeek: { ...owned, completedFrom: window.week.from, completedTo: window.week.to },
    total: owned,
    completed: { ...owned, status: 'completed' },
  } as const;
}

const ACTIVITY_COUNTS = [
  'createdToday',
  'completedToday',
  'createdThisWeek',
  'completedThisWeek',
] as const;

/** A `dashboard.activity` count, by its key in {@link figureListFilters}. */
export type ActivityFigureName = `activity.${(typeof ACTIVITY_COUNTS)[number]}`;
/** Every dashboard number that has a list behind it, as `figureListFilters` keys it. */
export type FigureName =
  | `statistics.${keyof typeof STATISTICS_FIGURES}`
  | `breakdown.${Exclude<keyof typeof BREAKDOWN_FIGURES, 'low' | 'medium' | 'high'>}`
  | `breakdown.byPriority.${'low' | 'medium' | 'high'}`
  | `shared.${keyof typeof SHARED_FIGURES}`
  | ActivityFigureName;

/**
 * The `tasks.list` input that lists exactly the tasks behind every number of the dashboard,
 * keyed `statistics.total`, `activity.createdToday`, `breakdown.byPriority.low`,
 * `shared.viewOnly`, …; `window` is the one `dashboard.activity` returned.
 *
 * @example
 * ```ts
 * const activity = await client.dashboard.activity.query({ timeZone });
 * const list = await client.tasks.list.query(figureListFilters(activity.window)['activity.createdToday']);
 * ```
 */
export function figureListFilters(window: TimeWindow): Record<FigureName, TaskFilterInput>;
export function figureListFilters(): Record<
  Exclude<FigureName, ActivityFigureName>,
  TaskFilterInput
>;
export function figureListFilters(
  window?: TimeWindow,
): Partial<Record<FigureName, TaskFilterInput>>;
export function figureListFilters(
  window?: TimeWindow,
): Partial<Record<FigureName, TaskFilterInput>> {
  const filters: Partial<Record<FigureName, TaskFilterInput>> = {};
  for (const [name, filter] of Object.entries(STATISTICS_FIGURES)) {
    filters[`statistics.${name as keyof typeof STATISTICS_FIGURES}`] = filter;
  }
  for (const [name, filter] of Object.entries(BREAKDOWN_FIGURES)) {
    const key = name as keyof typeof BREAKDOWN_FIGURES;
    const figure: FigureName =
      key === 'low' || key === 'medium' || key === 'high'
        ? `breakdown.byPriority.${key}`
        : `breakdown.${key}`;
    filters[figure] = filter;
  }
  for (const [name, filter] of Object.entries(SHARED_FIGURES)) {
    filters[`shared.${name as keyof typeof SHARED_FIGURES}`] = filter;
  }
  if (window) {
    const figures = activityFigures(window);
    for (const name of ACTIVITY_COUNTS) filters[`activity.${name}`] = figures[name];
  }
  return filters;
}
