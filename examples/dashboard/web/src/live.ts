/**
 * `dashboard.live` kept open with `@taskpulse/client/react`'s `useLiveDashboard`: every
 * emission is written into the query cache (statistics and activity) and marks the other
 * figures stale; here it also refreshes the open task lists. The client re-opens a dropped
 * stream a few times; when it gives up, this tries again with backoff, and the state is shown
 * to the user.
 */
import { useQueryClient } from '@tanstack/react-query';
import type { ActivityInput } from '@taskpulse/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorCode, errorMessage, useLiveDashboard, useTaskpulse } from './api.ts';

/** Where the live stream stands. */
export type LiveState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'live' }
  | { readonly kind: 'reconnecting'; readonly reason: string }
  | { readonly kind: 'offline'; readonly reason: string; readonly retryAt: number };

const MAX_BACKOFF_MS = 30_000;

/** Subscribes to `dashboard.live` for `input` while mounted. */
export function useLiveFigures(
  input: ActivityInput,
  onUnauthorized: () => void,
): { state: LiveState; retryNow: () => void } {
  const taskpulse = useTaskpulse();
  const queryClient = useQueryClient();
  const { status, error, reset } = useLiveDashboard(input, {
    // the open lists may have changed with the figures
    onData: () =>
      void queryClient.invalidateQueries(taskpulse.tasks.list.pathFilter(), {
        cancelRefetch: false,
      }),
  });

  const attempts = useRef(0);
  const [retryAt, setRetryAt] = useState<number | undefined>(undefined);
  const unauthorized = errorCode(error) === 'UNAUTHORIZED';

  useEffect(() => {
    if (status === 'live') attempts.current = 0;
    if (status !== 'error' && status !== 'idle') {
      setRetryAt(undefined);
      return;
    }
    if (unauthorized) {
      onUnauthorized();
      return;
    }
    // the stream ended or failed for good: open it again, waiting longer after each failure
    const delay = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** attempts.current);
    attempts.current += 1;
    setRetryAt(Date.now() + delay);
    const timer = setTimeout(reset, delay);
    return () => clearTimeout(timer);
  }, [status, unauthorized, onUnauthorized, reset]);

  const retryNow = useCallback(() => reset(), [reset]);

  useEffect(() => {
    const online = () => {
      if (status === 'error' || status === 'idle') retryNow();
    };
    window.addEventListener('online', online);
    return () => window.removeEventListener('online', online);
  }, [status, retryNow]);

  let state: LiveState;
  if (status === 'live') state = { kind: 'live' };
  else if (status === 'connecting') state = { kind: 'connecting' };
  else if (status === 'reconnecting') {
    state = {
      kind: 'reconnecting',
      reason: error ? errorMessage(error) : 'The connection dropped.',
    };
  } else {
    state = {
      kind: 'offline',
      reason: error ? errorMessage(error) : 'The live stream ended.',
      retryAt: retryAt ?? Date.now(),
    };
  }
  return { state, retryNow };
}
