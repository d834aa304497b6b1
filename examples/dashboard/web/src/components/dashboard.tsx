import { useQueries } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { type Task, useTaskpulse } from '../api.ts';
import type { OpenFigure } from '../figures.ts';
import { useLiveFigures } from '../live.ts';
import { timeZone, weekStartsOn } from '../locale.ts';
import type { Session } from '../session.ts';
import { AccountActions } from './account-actions.tsx';
import { ConnectionStatus } from './connection-status.tsx';
import {
  ActivityPanel,
  BreakdownPanel,
  SharedPanel,
  StatisticsCards,
  type TimeInput,
  TrendPanel,
} from './panels.tsx';
import { ShareDialog } from './share-dialog.tsx';
import { TaskFormDialog } from './task-form.tsx';
import { TaskListDialog } from './task-list.tsx';

/**
 * Whether the first answer (figures or an error) of every panel is there. The panels' queries
 * go out together in one batched request and come back together, so the figures appear at
 * once, in place of a placeholder taller than the window: nothing moves as they arrive.
 */
function useFirstFigures(input: TimeInput): boolean {
  const taskpulse = useTaskpulse();
  return useQueries({
    queries: [
      taskpulse.dashboard.statistics.queryOptions(),
      taskpulse.dashboard.activity.queryOptions(input),
      taskpulse.dashboard.shared.queryOptions(),
      taskpulse.dashboard.breakdown.queryOptions(),
      taskpulse.dashboard.trend.queryOptions({ days: 30, timeZone: input.timeZone }),
    ],
    combine: (results) => results.every((result) => result.data !== undefined || result.isError),
  });
}

/** The signed-in page: the figures (live), the lists behind them, and the task dialogs. */
export function Dashboard({
  session,
  onSignOut,
}: {
  session: Session;
  onSignOut: (notice?: string) => void;
}) {
  const input = useMemo(() => ({ timeZone, weekStartsOn }), []);
  const expired = useCallback(
    () => onSignOut('Your demo session has expired. Pick a user to sign in again.'),
    [onSignOut],
  );
  const live = useLiveFigures(input, expired);
  const [figure, setFigure] = useState<OpenFigure | null>(null);
  const [editing, setEditing] = useState<Task | 'new' | null>(null);
  const [sharing, setSharing] = useState<Task | null>(null);
  const [message, setMessage] = useState('');
  const ready = useFirstFigures(input);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to the figures
      </a>
      <header className="topbar">
        <p className="brand">
          taskpulse <span className="tag">demo</span>
        </p>
        <ConnectionStatus state={live.state} retryNow={live.retryNow} />
        <div className="account">
          <span>
            Signed in as <strong data-testid="user-name">{session.user.name}</strong>
          </span>
          <button type="button" className="button-quiet" onClick={() => onSignOut()}>
            Switch user
          </button>
          <AccountActions session={session} onDeleted={onSignOut} onMessage={setMessage} />
        </div>
      </header>
      <main
        id="main"
        tabIndex={-1}
        data-time-zone={input.timeZone}
        data-week-starts-on={input.weekStartsOn}
      >
        <div className="intro">
          <div>
            <h1>{session.user.name}’s dashboard</h1>
            <p className="hint">
              Times in {timeZone}. Select any number to list the tasks behind it.
            </p>
          </div>
          <button type="button" className="button-primary" onClick={() => setEditing('new')}>
            New task
          </button>
        </div>
        <p className="toast" role="status" aria-live="polite">
          {message}
        </p>
        {ready ? (
          <>
            <section aria-labelledby="overview-title">
              <h2 id="overview-title" className="visually-hidden">
                My tasks
              </h2>
              <div className="grid cards" data-testid="cards">
                <StatisticsCards onOpen={setFigure} />
              </div>
            </section>
            <div className="grid panels">
              <ActivityPanel input={input} onOpen={setFigure} />
              <SharedPanel onOpen={setFigure} />
              <BreakdownPanel onOpen={setFigure} />
              <TrendPanel />
            </div>
          </>
        ) : (
          <p className="loading figures-placeholder" role="status">
            Loading your figures…
          </p>
        )}
      </main>
      {figure ? (
        <TaskListDialog
          figure={figure}
          onClose={() => setFigure(null)}
          onEdit={setEditing}
          onShare={setSharing}
          onSaved={setMessage}
        />
      ) : null}
      {editing ? (
        <TaskFormDialog
          task={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={setMessage}
        />
      ) : null}
      {sharing ? (
        <ShareDialog
          task={sharing}
          me={session.user}
          onClose={() => setSharing(null)}
          onSaved={setMessage}
        />
      ) : null}
    </>
  );
}
