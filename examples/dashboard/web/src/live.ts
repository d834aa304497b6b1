/**
 * `dashboard.live` kept open: every emission is written into the query cache (statistics and
 * activity) and marks the other figures stale, so the page follows every write without
 * polling. When the stream fails it is reopened with backoff; the state is shown to the user.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorCode, errorMessage, type RouterInputs, useTRPC } from './api.ts';

/** Where the live stream stands. */
export type LiveState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'live' }
  | { readonly kind: 'reconnecting'; readonly reason: string }
  | { readonly kind: 'offline'; readonly reason: string; readonly retryAt: number };

const MAX_BACKOFF_MS = 30_000;

/** Subscribes to `dashboard.live` for `input` while mounted. */
export function useLiveDashboard(
  input: RouterInputs['dashboard']['live'],
  onUnauthorized: () => void,
): { state: LiveState; retryNow: () => void } {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const lastSnapshot = useRef<string | undefined>(undefined);

  const subscription = useSubscription(
    trpc.dashboard.live.subscriptionOptions(input, {
      // each (re)connection starts with the current figures: treat them as news
      onStarted: () => {
        lastSnapshot.current = undefined;
      },
      onData: ({ data }) => {
        const snapshot = JSON.stringify(data);
        if (snapshot === lastSnapshot.current) return;
        lastSnapshot.current = snapshot;
        queryClient.setQueryData(trpc.dashboard.statistics.queryKey(), data.statistics);
        queryClient.setQueryData(trpc.dashboard.activity.queryKey(input), data.activity);
        // the other figures and the open lists may have changed with them: refetch the ones shown
        const refetch = { cancelRefetch: false } as const;
        void queryClient.invalidateQueries(
          { queryKey: trpc.dashboard.breakdown.queryKey() },
          refetch,
        );
        void queryClient.invalidateQueries({ queryKey: trpc.dashboard.shared.queryKey() }, refetch);
        void queryClient.invalidateQueries({ queryKey: trpc.dashboard.trend.pathKey() }, refetch);
        void queryClient.invalidateQueries({ queryKey: trpc.tasks.list.pathKey() }, refetch);
      },
    }),
  );

  const { status, error, reset } = subscription;
  const attempts = useRef(0);
  const [retryAt, setRetryAt] = useState<number | undefined>(undefined);
  const unauthorized = errorCode(error) === 'UNAUTHORIZED';

  useEffect(() => {
    if (status === 'pending') attempts.current = 0;
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
  if (status === 'pending') state = { kind: 'live' };
  else if (status === 'connecting') {
    state = error ? { kind: 'reconnecting', reason: errorMessage(error) } : { kind: 'connecting' };
  } else {
    state = {
      kind: 'offline',
      reason: error ? errorMessage(error) : 'The live stream ended.',
      retryAt: retryAt ?? Date.now(),
    };
  }
  return { state, retryNow };
}
