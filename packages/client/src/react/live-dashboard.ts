import { skipToken, useQueryClient } from '@tanstack/react-query';
// the main entry by its package name, so that this entry's declarations import it rather than copy it
import type { ActivityInput, LiveSnapshot, TaskpulseClientError } from '@taskpulse/client';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useRef } from 'react';
import { useTaskpulse } from './provider.ts';

/**
 * Where a live dashboard stands: `connecting` until the first figures arrive, `live` while
 * connected, `reconnecting` after the connection dropped (the last figures stay in `data`),
 * `error` when it failed for good (`reset()` tries again), `idle` while disabled.
 */
export type LiveDashboardStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'error';

/** What {@link useLiveDashboard} returns. */
export interface LiveDashboard {
  /** The latest figures: `{ statistics, activity }`; undefined until the first arrive. */
  data: LiveSnapshot | undefined;
  status: LiveDashboardStatus;
  /** Why the subscription failed (`error`) or is reconnecting, if known. */
  error: TaskpulseClientError | null;
  /** Closes the subscription and opens it again. */
  reset: () => void;
}

/** Options of {@link useLiveDashboard}. */
export interface UseLiveDashboardOptions {
  /** Subscribe only while true. @default true */
  enabled?: boolean;
  /**
   * Keep the app's dashboard queries in step: each emission is written into the query data of
   * `dashboard.statistics` (no input) and `dashboard.activity` (the same input), and every later
   * one marks `dashboard.breakdown`, `dashboard.shared` and `dashboard.trend` stale, since the
   * write that caused it may have changed them too.
   * @default true
   */
  syncQueries?: boolean;
  /** Called with the figures of every emission. */
  onData?: (snapshot: LiveSnapshot) => void;
}

/**
 * Subscribes to `dashboard.live`: the caller's statistics and activity now, and again after
 * every write that changes them. Needs {@link TaskpulseProvider} above it.
 *
 * @example
 * ```tsx
 * const { data, status } = useLiveDashboard({ timeZone: 'Europe/Berlin', weekStartsOn: 1 });
 * if (!data) return <Spinner />;
 * return <Figures statistics={data.statistics} activity={data.activity} stale={status !== 'live'} />;
 * ```
 */
export function useLiveDashboard(
  // no default: `dashboard.activity`'s query key is the same for the same input, `undefined` included
  input?: ActivityInput,
  options: UseLiveDashboardOptions = {},
): LiveDashboard {
  const enabled = options.enabled ?? true;
  const taskpulse = useTaskpulse();
  const queryClient = useQueryClient();
  const emissions = useRef(0);
  const latest = useRef({ options, input });
  latest.current = { options, input };

  const subscription = useSubscription(
    taskpulse.dashboard.live.subscriptionOptions(enabled ? input : skipToken, {
      onData: ({ data }) => {
        const { options: current, input: currentInput } = latest.current;
        emissions.current += 1;
        if (current.syncQueries ?? true) {
          queryClient.setQueryData(taskpulse.dashboard.statistics.queryKey(), data.statistics);
          queryClient.setQueryData(
            taskpulse.dashboard.activity.queryKey(currentInput),
            data.activity,
          );
          // the first emission repeats what the queries just read; later ones follow a write
          if (emissions.current > 1) {
            for (const figure of ['breakdown', 'shared', 'trend'] as const) {
              void queryClient.invalidateQueries(taskpulse.dashboard[figure].pathFilter());
            }
          }
        }
        current.onData?.(data);
      },
    }),
  );

  const data = subscription.data?.data;
  let status: LiveDashboardStatus;
  switch (subscription.status) {
    case 'idle':
      status = 'idle';
      break;
    case 'pending':
      status = 'live';
      break;
    case 'connecting':
      status = data === undefined ? 'connecting' : 'reconnecting';
      break;
    case 'error':
      status = 'error';
      break;
  }
  return {
    data,
    status,
    // the links only ever fail with TRPCClientError instances
    error: (subscription.error ?? null) as TaskpulseClientError | null,
    reset: subscription.reset,
  };
}
