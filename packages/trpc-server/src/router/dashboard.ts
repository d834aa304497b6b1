import { activityInput, noInput, trendInput } from '@taskpulse/core';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import { liveStreamSlots } from '../runtime/index.ts';
import type { TaskpulseBuilders } from './builders.ts';

/**
 * Input of `dashboard.live`: activity's, plus the `lastEventId` that tRPC clients add when they
 * re-open a subscription (retryLink, httpSubscriptionLink after inactivity). The stream starts
 * again from the current figures whatever it is, so it is accepted and not used.
 */
export const liveInput = activityInput
  .unwrap()
  .extend({ lastEventId: z.string().max(200).nullish() })
  .default({ timeZone: 'UTC', weekStartsOn: 1 });

/**
 * `dashboard.*`: the caller's figures through the statistics cache, and `live`, an SSE
 * subscription that emits `{ statistics, activity }` at once and after every write that
 * changes them. Each emission is `tracked()` with an increasing id; a client that reconnects
 * with `lastEventId` starts again from the current figures. A user holds at most
 * `maxLiveStreamsPerUser` of them at once (`TOO_MANY_REQUESTS` beyond).
 */
export const dashboardProcedures = (b: TaskpulseBuilders) => {
  const dashboard = () => b.runtime.taskpulse.dashboard;
  return {
    dashboard: b.router({
      statistics: b.authed.input(noInput).query(({ ctx }) => dashboard().statistics(ctx.taskpulse)),
      activity: b.authed
        .input(activityInput)
        .query(({ ctx, input }) => dashboard().activity(ctx.taskpulse, input)),
      breakdown: b.authed.input(noInput).query(({ ctx }) => dashboard().breakdown(ctx.taskpulse)),
      shared: b.authed.input(noInput).query(({ ctx }) => dashboard().shared(ctx.taskpulse)),
      trend: b.authed
        .input(trendInput)
        .query(({ ctx, input }) => dashboard().trend(ctx.taskpulse, input)),
      live: b.authed.input(liveInput).subscription(({ ctx, input, signal }) => {
        // taken before the stream starts, so that a refusal is the call's error; freed when
        // the stream ends (the client leaves, the server closes it, or it fails), and on
        // abort in case the stream never started
        const release = liveStreamSlots(b.runtime).acquire(ctx.caller.id);
        signal?.addEventListener('abort', release, { once: true });
        const { timeZone, weekStartsOn } = input;
        return (async function* () {
          try {
            for await (const emission of dashboard().live(
              ctx.taskpulse,
              { timeZone, weekStartsOn },
              signal ? { signal } : {},
            )) {
              yield tracked(emission.id, emission.data);
            }
          } finally {
            signal?.removeEventListener('abort', release);
            release();
          }
        })();
      }),
    }),
  };
};
