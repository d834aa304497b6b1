import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { useTaskpulse } from '../api.ts';
import type { OpenFigure } from '../figures.ts';
import { formatCount, formatDay, formatInstant, formatPercent, timeZone } from '../locale.ts';
import { CHART_HEIGHT } from './chart-size.ts';
import { FigureButton } from './figure.tsx';
import { QueryState } from './query-state.tsx';

// the chart code is a chunk of its own: asked for as soon as this module runs, in parallel
// with the figures' request, and the figures never wait for it
const charts = import('./charts.tsx');
const StatusChart = lazy(() => charts.then((m) => ({ default: m.StatusChart })));
const PriorityChart = lazy(() => charts.then((m) => ({ default: m.PriorityChart })));
const TrendChart = lazy(() => charts.then((m) => ({ default: m.TrendChart })));

type Open = (figure: OpenFigure) => void;

/** The live input of the page: the browser's zone and week. */
export interface TimeInput {
  timeZone: string;
  weekStartsOn: number;
}

/** Where a chart will be, at its final size, while its code loads. */
function ChartPlaceholder({ chart }: { chart: keyof typeof CHART_HEIGHT }) {
  return (
    <div className="chart-placeholder" role="status" style={{ height: CHART_HEIGHT[chart] }}>
      Loading chart…
    </div>
  );
}

/** `dashboard.statistics` as four cards (the fifth figure, shared, is in the shared panel). */
export function StatisticsCards({ onOpen }: { onOpen: Open }) {
  const taskpulse = useTaskpulse();
  const query = useQuery(taskpulse.dashboard.statistics.queryOptions());
  return (
    <QueryState query={query} what="your statistics">
      {(statistics) => (
        <>
          <div className="card">
            <FigureButton figure="statistics.total" value={statistics.total} onOpen={onOpen} />
          </div>
          <div className="card">
            <FigureButton figure="statistics.pending" value={statistics.pending} onOpen={onOpen} />
          </div>
          <div className="card">
            <FigureButton
              figure="statistics.completed"
              value={statistics.completed}
              onOpen={onOpen}
            />
          </div>
          <div className={statistics.overdue > 0 ? 'card card-alert' : 'card'}>
            <FigureButton figure="statistics.overdue" value={statistics.overdue} onOpen={onOpen} />
          </div>
        </>
      )}
    </QueryState>
  );
}

/** `dashboard.activity`: today and this week in the browser's zone, and the window used. */
export function ActivityPanel({ input, onOpen }: { input: TimeInput; onOpen: Open }) {
  const taskpulse = useTaskpulse();
  const query = useQuery(taskpulse.dashboard.activity.queryOptions(input));
  return (
    <section className="panel span-2" aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      <QueryState query={query} what="your activity">
        {(activity) => {
          const { window } = activity;
          return (
            <>
              <div className="figure-row">
                <FigureButton
                  figure="activity.createdToday"
                  value={activity.createdToday}
                  window={window}
                  onOpen={onOpen}
                  size="small"
                />
                <FigureButton
                  figure="activity.completedToday"
                  value={activity.completedToday}
                  window={window}
                  onOpen={onOpen}
                  size="small"
                />
                <FigureButton
                  figure="activity.createdThisWeek"
                  value={activity.createdThisWeek}
                  window={window}
                  onOpen={onOpen}
                  size="small"
                />
                <FigureButton
                  figure="activity.completedThisWeek"
                  value={activity.completedThisWeek}
                  window={window}
                  onOpen={onOpen}
                  size="small"
                />
              </div>
              <p className="completion">
                <span
                  className="completion-value"
                  data-figure="activity.completionRate"
                  data-value={activity.completionRate}
                >
                  {formatPercent(activity.completionRate)}
                </span>{' '}
                of my tasks are completed
              </p>
              <div
                className="meter"
                role="progressbar"
                aria-label="Completion rate"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(activity.completionRate * 100)}
              >
                <div
                  className="meter-fill"
                  style={{ width: `${Math.round(activity.completionRate * 100)}%` }}
                />
              </div>
              <dl className="window">
                <div>
                  <dt>Today</dt>
                  <dd>
                    <time dateTime={window.today.from}>
                      {formatInstant(window.today.from, window.timeZone)}
                    </time>
                    {' until '}
                    <time dateTime={window.today.to}>
                      {formatInstant(window.today.to, window.timeZone)}
                    </time>
                  </dd>
                </div>
                <div>
                  <dt>This week</dt>
                  <dd>
                    <time dateTime={window.week.from}>
                      {formatInstant(window.week.from, window.timeZone)}
                    </time>
                    {' until '}
                    <time dateTime={window.week.to}>
                      {formatInstant(window.week.to, window.timeZone)}
                    </time>
                  </dd>
                </div>
                <div>
                  <dt>Time zone</dt>
                  <dd data-testid="time-zone">{window.timeZone}</dd>
                </div>
              </dl>
            </>
          );
        }}
      </QueryState>
    </section>
  );
}

/** Tasks shared with me (`statistics.shared`, live) and `dashboard.shared`'s split. */
export function SharedPanel({ onOpen }: { onOpen: Open }) {
  const taskpulse = useTaskpulse();
  const statistics = useQuery(taskpulse.dashboard.statistics.queryOptions());
  const shared = useQuery(taskpulse.dashboard.shared.queryOptions());
  return (
    <section className="panel span-2" aria-labelledby="shared-title">
      <h2 id="shared-title">Sharing</h2>
      <QueryState query={statistics} what="your shared tasks">
        {(figures) => (
          <FigureButton figure="statistics.shared" value={figures.shared} onOpen={onOpen} />
        )}
      </QueryState>
      <QueryState query={shared} what="the sharing details">
        {(details) => (
          <div className="figure-row">
            <FigureButton
              figure="shared.viewOnly"
              label="To view"
              value={details.viewOnly}
              onOpen={onOpen}
              size="small"
            />
            <FigureButton
              figure="shared.canEdit"
              label="To edit"
              value={details.canEdit}
              onOpen={onOpen}
              size="small"
            />
            <FigureButton
              figure="shared.sharedByMe"
              value={details.sharedByMe}
              onOpen={onOpen}
              size="small"
            />
          </div>
        )}
      </QueryState>
    </section>
  );
}

/** `dashboard.breakdown`: owned tasks by status and by priority, as charts and numbers. */
export function BreakdownPanel({ onOpen }: { onOpen: Open }) {
  const taskpulse = useTaskpulse();
  const query = useQuery(taskpulse.dashboard.breakdown.queryOptions());
  return (
    <section className="panel span-2" aria-labelledby="breakdown-title">
      <h2 id="breakdown-title">Breakdown</h2>
      <QueryState query={query} what="the breakdown">
        {(breakdown) => (
          <>
            <p className="panel-note">
              Of{' '}
              <FigureButton
                figure="breakdown.total"
                label="tasks I own"
                value={breakdown.total}
                onOpen={onOpen}
                size="small"
              />
            </p>
            <div className="breakdown">
              <div>
                <h3>By status</h3>
                <Suspense fallback={<ChartPlaceholder chart="status" />}>
                  <StatusChart pending={breakdown.pending} completed={breakdown.completed} />
                </Suspense>
                <div className="figure-row">
                  <FigureButton
                    figure="breakdown.pending"
                    value={breakdown.pending}
                    onOpen={onOpen}
                    size="small"
                  />
                  <FigureButton
                    figure="breakdown.completed"
                    value={breakdown.completed}
                    onOpen={onOpen}
                    size="small"
                  />
                </div>
              </div>
              <div>
                <h3>By priority</h3>
                <Suspense fallback={<ChartPlaceholder chart="priority" />}>
                  <PriorityChart {...breakdown.byPriority} />
                </Suspense>
                <div className="figure-row">
                  <FigureButton
                    figure="breakdown.byPriority.high"
                    label="High"
                    value={breakdown.byPriority.high}
                    onOpen={onOpen}
                    size="small"
                  />
                  <FigureButton
                    figure="breakdown.byPriority.medium"
                    label="Medium"
                    value={breakdown.byPriority.medium}
                    onOpen={onOpen}
                    size="small"
                  />
                  <FigureButton
                    figure="breakdown.byPriority.low"
                    label="Low"
                    value={breakdown.byPriority.low}
                    onOpen={onOpen}
                    size="small"
                  />
                </div>
              </div>
            </div>
          </>
        )}
      </QueryState>
    </section>
  );
}

/** `dashboard.trend`: the last 30 local days, as a chart and as a table. */
export function TrendPanel() {
  const taskpulse = useTaskpulse();
  const query = useQuery(taskpulse.dashboard.trend.queryOptions({ days: 30, timeZone }));
  return (
    <section className="panel span-2" aria-labelledby="trend-title">
      <h2 id="trend-title">Last 30 days</h2>
      <QueryState query={query} what="the trend">
        {(days) => (
          <>
            <Suspense fallback={<ChartPlaceholder chart="trend" />}>
              <TrendChart days={days} />
            </Suspense>
            <details className="trend-table">
              <summary>The numbers, day by day</summary>
              <table>
                <caption className="visually-hidden">Tasks created and completed per day</caption>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col">Created</th>
                    <th scope="col">Completed</th>
                  </tr>
                </thead>
                <tbody>
                  {[...days].reverse().map((day) => (
                    <tr key={day.date}>
                      <th scope="row">
                        <time dateTime={day.date}>{formatDay(day.date, 'long')}</time>
                      </th>
                      <td data-figure={`trend.${day.date}.created`} data-value={day.created}>
                        {formatCount(day.created)}
                      </td>
                      <td data-figure={`trend.${day.date}.completed`} data-value={day.completed}>
                        {formatCount(day.completed)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </>
        )}
      </QueryState>
    </section>
  );
}
