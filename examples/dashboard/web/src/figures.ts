/**
 * The numbers on the page and the tasks behind each. The filters are core's own definitions
 * (`@taskpulse/core/figures`, plain data with no runtime dependency): the list a number opens
 * is exactly the set of tasks that number counts.
 */
import { figureListFilters, type TaskFilterInput, type TimeWindow } from '@taskpulse/core/figures';

/** What each clickable number is called on the page and in the list it opens. */
export const FIGURE_LABELS = {
  'statistics.total': 'All my tasks',
  'statistics.pending': 'Pending',
  'statistics.completed': 'Completed',
  'statistics.overdue': 'Overdue',
  'statistics.shared': 'Shared with me',
  'activity.createdToday': 'Created today',
  'activity.completedToday': 'Completed today',
  'activity.createdThisWeek': 'Created this week',
  'activity.completedThisWeek': 'Completed this week',
  'breakdown.total': 'My tasks',
  'breakdown.pending': 'Pending',
  'breakdown.completed': 'Completed',
  'breakdown.byPriority.low': 'Low priority',
  'breakdown.byPriority.medium': 'Medium priority',
  'breakdown.byPriority.high': 'High priority',
  'shared.totalShared': 'Shared with me',
  'shared.viewOnly': 'Shared with me to view',
  'shared.canEdit': 'Shared with me to edit',
  'shared.sharedByMe': 'Mine, shared with others',
} as const;

/** A number that opens a list. */
export type FigureKey = keyof typeof FIGURE_LABELS;

/** The figure a task list was opened from, with the window its activity figures used. */
export interface OpenFigure {
  readonly key: FigureKey;
  /** The activity window (only for `activity.*`). */
  readonly window?: TimeWindow | undefined;
}

/** The `tasks.list` filter behind a figure. */
export function filterFor(figure: OpenFigure): TaskFilterInput {
  const filter = figureListFilters(figure.window)[figure.key];
  if (!filter) throw new Error(`No list is defined for ${figure.key}.`);
  return filter;
}
