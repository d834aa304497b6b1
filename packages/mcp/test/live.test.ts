/**
 * Writes through MCP publish the same change events as writes through tRPC: a user's open
 * dashboard.live stream moves when their agent completes a task, and so does the dashboard of
 * the user the task is shared with.
 */
import type { LiveSnapshot } from '@taskpulse/core';
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../../core/test/databases.ts';
import { clientFor } from '../../trpc-server/test/client.ts';
import { connectClient, structured, tokenFor, trpc, useMcpApi } from './harness.ts';

/** Subscribes to dashboard.live through the typed tRPC client (SSE) and collects emissions. */
async function watchLive(url: string, sub: string) {
  const client = await clientFor(url, sub);
  const emissions: LiveSnapshot[] = [];
  const errors: unknown[] = [];
  const subscription = client.dashboard.live.subscribe(
    { timeZone: 'Europe/Berlin' },
    {
      onData: ({ data }) => emissions.push(data),
      onError: (error) => errors.push(error),
    },
  );
  const until = async (predicate: (last: LiveSnapshot) => boolean) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const last = emissions.at(-1);
      if (last && predicate(last)) return last;
      if (errors.length > 0) throw errors[0];
      if (Date.now() > deadline)
        throw new Error(`live never matched; last: ${JSON.stringify(last)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { emissions, until, stop: () => subscription.unsubscribe() };
}

describeDatabases('MCP writes and live dashboards', (db) => {
  const api = useMcpApi(db);
  let aliceToken: string;
  beforeAll(async () => {
    aliceToken = await tokenFor('alice');
    await trpc(api.url, 'me', aliceToken);
    await trpc(api.url, 'me', await tokenFor('bob'));
  });

  it("moves the user's open dashboard when their agent adds and completes a task", async () => {
    const live = await watchLive(api.url, 'alice');
    const bobsLive = await watchLive(api.url, 'bob');
    try {
      const first = await live.until(() => true);
      await bobsLive.until(() => true);
      const agent = await connectClient(api.url, aliceToken);

      const { tasks } = await structured<{ tasks: { id: string }[] }>(agent, 'add-tasks', {
        tasks: [{ title: 'written by the agent' }],
      });
      const task = tasks[0] as { id: string };
      const added = await live.until(
        (last) => last.statistics.total === first.statistics.total + 1,
      );
      expect(added.activity.createdToday).toBe(first.activity.createdToday + 1);

      await structured(agent, 'share-task', { taskId: task.id, userId: 'bob', permission: 'view' });
      await bobsLive.until((last) => last.statistics.shared === 1);

      await structured(agent, 'complete-tasks', { ids: [task.id] });
      const completed = await live.until(
        (last) => last.statistics.completed === first.statistics.completed + 1,
      );
      expect(completed.activity.completedToday).toBe(first.activity.completedToday + 1);
      // what the stream shows is what the API answers now
      expect(completed.statistics).toEqual(await trpc(api.url, 'dashboard.statistics', aliceToken));
      await agent.close();
    } finally {
      live.stop();
      bobsLive.stop();
    }
  });
});
