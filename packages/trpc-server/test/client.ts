/** A typed tRPC client for tests, the way an app would build one: batch over HTTP, SSE for live. */
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import type { TaskpulseRouter } from '../src/index.ts';
import { signHs256 } from './tokens.ts';

/** A client of the standalone router at `base`, signed in as `sub`. */
export async function clientFor(base: string, sub: string): Promise<TRPCClient<TaskpulseRouter>> {
  const token = await signHs256({
    sub,
    name: sub,
    email: `${sub}@example.com`,
    email_verified: true,
  });
  const url = `${base}/trpc`;
  return createTRPCClient<TaskpulseRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url, EventSource, connectionParams: () => ({ token }) }),
        false: httpBatchLink({ url, headers: () => ({ authorization: `Bearer ${token}` }) }),
      }),
    ],
  });
}
