// @vitest-environment happy-dom
/**
 * The React entry against a real server: TanStack Query through `useTaskpulse()`, and
 * `useLiveDashboard()` keeping the figures (and the app's statistics query) live.
 */
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { EventSource } from 'eventsource';
import { createElement, type ReactNode } from 'react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTaskpulseClient, type TaskpulseClient } from '../src/index.ts';
import {
  TaskpulseProvider,
  useLiveDashboard,
  useTaskpulse,
  useTaskpulseClient,
} from '../src/react/index.ts';
import { postgresAvailable, useClientTestServer } from './server.ts';

function wrapperFor(client: TaskpulseClient) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const wrapper = ({ children }: { children: ReactNode }) =>
    createElement(
      QueryClientProvider,
      { client: queryClient },
      createElement(TaskpulseProvider, { client, queryClient }, children),
    );
  return { wrapper, queryClient };
}

describe.skipIf(!postgresAvailable)('the React entry [postgres]', () => {
  const server = useClientTestServer();
  // the page is served from the API's origin (through the proxy a test can cut), as the
  // reference app is: happy-dom's fetch applies the same-origin policy, as a browser does
  beforeAll(() => {
    (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(
      `${server.url}/`,
    );
  });
  afterEach(() => cleanup());

  const clientFor = (sub: string, url = server.url) =>
    createTaskpulseClient({
      url,
      token: server.tokens.issue(sub),
      EventSource,
      retry: { attempts: 8, baseDelayMs: 50, maxDelayMs: 1_000 },
    });

  it('queries and mutates through useTaskpulse() and TanStack Query', async () => {
    const client = clientFor('rita');
    const { wrapper } = wrapperFor(client);
    const { result } = renderHook(
      () => {
        const taskpulse = useTaskpulse();
        return {
          statistics: useQuery(taskpulse.dashboard.statistics.queryOptions()),
          client: useTaskpulseClient(),
        };
      },
      { wrapper },
    );
    await waitFor(() => expect(result.current.statistics.data).toBeDefined());
    expect(result.current.statistics.data?.total).toBe(0);
    expect(result.current.client).toBe(client);
  });

  it('keeps the figures live, writes them into the statistics and activity queries, and refreshes the others', async () => {
    const client = clientFor('sam');
    const { wrapper, queryClient } = wrapperFor(client);
    const seen: number[] = [];
    const { result } = renderHook(
      () => {
        const taskpulse = useTaskpulse();
        return {
          live: useLiveDashboard(
            { timeZone: 'Europe/Berlin' },
            { onData: (snapshot) => seen.push(snapshot.statistics.total) },
          ),
          statisticsKey: taskpulse.dashboard.statistics.queryKey(),
          activityKey: taskpulse.dashboard.activity.queryKey({ timeZone: 'Europe/Berlin' }),
          // not carried by live: marked stale by each later emission, so it is read again
          breakdown: useQuery(taskpulse.dashboard.breakdown.queryOptions()),
        };
      },
      { wrapper },
    );
    expect(result.current.live.status).toBe('connecting');
    await waitFor(() => expect(result.current.live.status).toBe('live'));
    await waitFor(() => expect(result.current.live.data?.statistics.total).toBe(0));
    expect(result.current.live.data?.activity.window.timeZone).toBe('Europe/Berlin');

    await act(() => client.tasks.create.mutate({ title: 'live in React' }));
    await waitFor(() => expect(result.current.live.data?.statistics.total).toBe(1));
    expect(queryClient.getQueryData(result.current.statisticsKey)).toEqual(
      result.current.live.data?.statistics,
    );
    expect(queryClient.getQueryData(result.current.activityKey)).toEqual(
      result.current.live.data?.activity,
    );
    await waitFor(() => expect(result.current.breakdown.data?.total).toBe(1));
    expect(seen.at(-1)).toBe(1);
  });

  it('says reconnecting while the connection is down, keeping the last figures', async () => {
    const client = clientFor('tess');
    const { wrapper } = wrapperFor(client);
    const { result } = renderHook(() => useLiveDashboard(), { wrapper });
    await waitFor(() => expect(result.current.data?.statistics.total).toBe(0));
    expect(result.current.status).toBe('live');

    server.http.cut();
    await waitFor(() => expect(result.current.status).toBe('reconnecting'));
    expect(result.current.data?.statistics.total).toBe(0);
    server.http.restore();
    await clientFor('tess').tasks.create.mutate({ title: 'while reconnecting' });
    await waitFor(() => expect(result.current.data?.statistics.total).toBe(1), {
      timeout: 10_000,
    });
    expect(result.current.status).toBe('live');
  });

  it('stays idle while disabled', () => {
    const { wrapper } = wrapperFor(clientFor('uma'));
    const { result } = renderHook(() => useLiveDashboard({}, { enabled: false }), { wrapper });
    expect(result.current).toMatchObject({ status: 'idle', data: undefined, error: null });
  });
});
