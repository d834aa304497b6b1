/** Watches `dashboard.live` through a client, for tests. */
import type { TaskpulseClient } from '../src/client/create-client.ts';
import type { ActivityInput, LiveSnapshot } from '../src/router/types.ts';

export interface LiveWatch {
  readonly emissions: LiveSnapshot[];
  readonly errors: unknown[];
  /** Connection states seen, in order (`connecting`, `pending`, …). */
  readonly states: string[];
  /** Resolves with the latest emission once `predicate` holds for it. */
  until(predicate: (last: LiveSnapshot) => boolean): Promise<LiveSnapshot>;
  /** Resolves with the error the subscription ended with. */
  failed(): Promise<unknown>;
  stop(): void;
}

/** Subscribes to `dashboard.live` and records what it emits. */
export function watchLive(client: TaskpulseClient, input: ActivityInput = {}): LiveWatch {
  const emissions: LiveSnapshot[] = [];
  const errors: unknown[] = [];
  const states: string[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  const subscription = client.dashboard.live.subscribe(input, {
    onData: ({ data }) => {
      emissions.push(data);
      notify();
    },
    onError: (error) => {
      errors.push(error);
      notify();
    },
    onConnectionStateChange: (state) => {
      states.push(state.state);
    },
  });
  const wait = <T>(check: () => T | undefined): Promise<T> =>
    new Promise((resolve, reject) => {
      const waiter = () => {
        try {
          const value = check();
          if (value === undefined) return;
          waiters.delete(waiter);
          resolve(value);
        } catch (error) {
          waiters.delete(waiter);
          reject(error);
        }
      };
      waiters.add(waiter);
      waiter();
    });
  return {
    emissions,
    errors,
    states,
    until: (predicate) =>
      wait(() => {
        if (errors.length > 0) throw errors[0];
        const last = emissions.at(-1);
        return last !== undefined && predicate(last) ? last : undefined;
      }),
    failed: () => wait(() => errors[0]),
    stop: () => subscription.unsubscribe(),
  };
}
