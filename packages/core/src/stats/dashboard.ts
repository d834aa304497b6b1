import { v7 as uuidv7 } from 'uuid';
import type { StatsCache } from '../cache/index.ts';
import { inTransaction, type TaskpulseContext } from '../context.ts';
import { parseWith, TaskpulseError } from '../errors/index.ts';
import type { ChangeEventBus } from '../events/index.ts';
import {
  type Activity,
  type ActivityInput,
  activityInput,
  type Breakdown,
  type LiveSnapshot,
  noInput,
  type SharedStats,
  type Statistics,
  type TrendDay,
  type TrendInput,
  trendInput,
} from './schemas.ts';
import {
  getActivity,
  getBreakdown,
  getSharedStats,
  getStatistics,
  getTrend,
} from './stats-service.ts';

/** Options of {@link Dashboard.live}. */
export interface LiveOptions {
  /** Ends the stream. */
  signal?: AbortSignal;
  /**
   * How long to gather a burst of writes into one emission; the emission after the burst
   * is exact.
   * @default 50
   */
  coalesceMs?: number;
  /**
   * Re-reads the figures this often even without writes, since "today" and "overdue" move
   * with the clock; emits only when they changed.
   * @default 60000
   */
  refreshMs?: number;
}

/** One emission of {@link Dashboard.live}: an id (increasing), and the figures. */
export interface LiveEmission {
  id: string;
  data: LiveSnapshot;
}

/**
 * The dashboard figures of the calling user, served through the statistics cache (each
 * write through the SDK invalidates the affected users' figures), and a live stream.
 *
 * Inside a transaction (a context on an entity manager of `em.transactional()`), every figure
 * is computed through that transaction, its uncommitted writes included, and bypasses the
 * cache; `live` refuses such a context.
 */
export interface Dashboard {
  statistics(ctx: TaskpulseContext, input?: Record<string, never>): Promise<Statistics>;
  activity(ctx: TaskpulseContext, input?: ActivityInput): Promise<Activity>;
  breakdown(ctx: TaskpulseContext, input?: Record<string, never>): Promise<Breakdown>;
  shared(ctx: TaskpulseContext, input?: Record<string, never>): Promise<SharedStats>;
  trend(ctx: TaskpulseContext, input?: TrendInput): Promise<TrendDay[]>;
  /**
   * `dashboard.live`: emits `{ statistics, activity }` at once, then again after every write
   * that touches the caller's figures (bursts coalesced into one exact emission, so that a
   * client can also refresh the other figures then) and when the clock moves them.
   * Subscribes to change events before the first read, so that no write between the two is
   * missed.
   */
  live(
    ctx: TaskpulseContext,
    input?: ActivityInput,
    options?: LiveOptions,
  ): AsyncGenerator<LiveEmission>;
}

/** Builds the {@link Dashboard} over a cache (or none) and the change events. */
export function createDashboard({
  cache,
  events,
}: {
  cache: StatsCache | null;
  events: ChangeEventBus;
}): Dashboard {
  const cached = <T>(
    ctx: TaskpulseContext,
    figure: string,
    params: Record<string, string | number>,
    compute: () => Promise<T>,
  ): Promise<T> =>
    // inside a caller's transaction the figures include its uncommitted writes: they are
    // computed through it and never cached, so that no one else sees them before the commit
    cache && !inTransaction(ctx)
      ? cache.get({ userId: ctx.caller.id, figure, params }, () => compute())
      : compute();

  const dashboard: Dashboard = {
    statistics: async (ctx, input) => {
      parseWith(noInput, input, 'input');
      return cached(ctx, 'statistics', {}, () => getStatistics(ctx));
    },
    breakdown: async (ctx, input) => {
      parseWith(noInput, input, 'input');
      return cached(ctx, 'breakdown', {}, () => getBreakdown(ctx));
    },
    shared: async (ctx, input) => {
      parseWith(noInput, input, 'input');
      return cached(ctx, 'shared', {}, () => getSharedStats(ctx));
    },
    activity: async (ctx, input) => {
      const params = parseWith(activityInput, input, 'input');
      return cached(ctx, 'activity', params, () => getActivity(ctx, params));
    },
    trend: async (ctx, input) => {
      const params = parseWith(trendInput, input, 'input');
      return cached(ctx, 'trend', params, () => getTrend(ctx, params));
    },
    live: async function* (ctx, input, options = {}) {
      const params = parseWith(activityInput, input, 'input');
      if (inTransaction(ctx)) {
        throw new TaskpulseError(
          'VALIDATION',
          'dashboard.live streams committed figures for as long as it runs, so it cannot read through a transaction: give it a context made without the entity manager of a transaction.',
          { issues: [{ path: ['em'], message: 'is inside a transaction' }] },
        );
      }
      const { coalesceMs = 50, refreshMs = 60_000, signal } = options;
      const me = ctx.caller.id;
      // a write touching this user (or a resync, or the refresh clock) marks the figures
      // dirty and wakes the loop; marks that arrive while it reads make it read once more
      let dirty = false;
      // a write happened: emit even when statistics and activity came out the same, since
      // it may have moved the user's other figures (breakdown, sharing, trend)
      let written = false;
      let wake: (() => void) | undefined;
      const markDirty = () => {
        dirty = true;
        wake?.();
      };
      const unsubscribe = events.subscribe((event) => {
        if (event.type === 'resync' || event.affectedUserIds.includes(me)) {
          written = true;
          markDirty();
        }
      });
      const refresh = setInterval(markDirty, refreshMs);
      refresh.unref?.();
      signal?.addEventListener('abort', markDirty, { once: true });
      const snapshot = async (): Promise<LiveSnapshot> => {
        const [statistics, activity] = await Promise.all([
          dashboard.statistics(ctx),
          dashboard.activity(ctx, params),
        ]);
        return { statistics, activity };
      };
      // waits `ms`, or less when the stream is aborted; the abort listener goes with the
      // wait, so that a stream open across any number of bursts holds none of them
      const pause = (ms: number) =>
        new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, ms);
          signal?.addEventListener('abort', done, { once: true });
        });
      try {
        // the change events are subscribed above, before this first read
        let last = await snapshot();
        yield { id: uuidv7(), data: last };
        while (!signal?.aborted) {
          if (!dirty) {
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = undefined;
            continue;
          }
          await pause(coalesceMs); // gather the rest of the burst
          if (signal?.aborted) return;
          dirty = false;
          const afterWrite = written;
          written = false;
          const current = await snapshot();
          if (afterWrite || JSON.stringify(current) !== JSON.stringify(last)) {
            last = current;
            yield { id: uuidv7(), data: current };
          }
        }
      } finally {
        unsubscribe();
        clearInterval(refresh);
        signal?.removeEventListener('abort', markDirty);
      }
    },
  };
  return dashboard;
}
