import { useEffect, useState } from 'react';
import type { LiveState } from '../live.ts';

function useSecondsUntil(at: number | undefined): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (at === undefined) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [at]);
  return at === undefined ? 0 : Math.max(0, Math.ceil((at - now) / 1_000));
}

/** The live stream's state, announced politely to screen readers when it changes. */
export function ConnectionStatus({ state, retryNow }: { state: LiveState; retryNow: () => void }) {
  const seconds = useSecondsUntil(state.kind === 'offline' ? state.retryAt : undefined);
  const text =
    state.kind === 'live'
      ? 'Live'
      : state.kind === 'connecting'
        ? 'Connecting…'
        : state.kind === 'reconnecting'
          ? 'Reconnecting…'
          : 'Offline';
  return (
    <div className="connection" data-state={state.kind}>
      <span className="connection-state" role="status" aria-live="polite" data-testid="connection">
        <span className="connection-dot" aria-hidden="true" />
        {text}
        {state.kind === 'live' ? (
          <span className="visually-hidden">: figures update as tasks change</span>
        ) : null}
      </span>
      {state.kind === 'offline' || state.kind === 'reconnecting' ? (
        <span className="connection-detail">
          Figures may be out of date.
          {state.kind === 'offline' ? (
            <>
              {' '}
              {seconds > 0 ? `Retrying in ${seconds} s. ` : 'Retrying… '}
              <button type="button" className="button-link" onClick={retryNow}>
                Retry now
              </button>
            </>
          ) : null}
        </span>
      ) : null}
    </div>
  );
}
