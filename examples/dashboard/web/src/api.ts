/**
 * The typed API client. Until `@taskpulse/client` lands, it is assembled here from tRPC's own
 * links, the way that package will: `httpBatchStreamLink` for queries and mutations,
 * `httpSubscriptionLink` (SSE, token in the connection params) for `dashboard.live`. Only
 * types come from the server packages, so no server code reaches the bundle.
 */
import type { TaskpulseRouter } from '@taskpulse/trpc-server';
import {
  createTRPCClient,
  httpBatchStreamLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
} from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { createTRPCContext } from '@trpc/tanstack-react-query';

export type RouterOutputs = inferRouterOutputs<TaskpulseRouter>;
export type RouterInputs = inferRouterInputs<TaskpulseRouter>;
/** A task, as the API returns it. */
export type Task = RouterOutputs['tasks']['get'];
/** `dashboard.activity`. */
export type Activity = RouterOutputs['dashboard']['activity'];

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<TaskpulseRouter>();

/** A client of this origin's `/trpc`, authenticated with the current token. */
export function createApiClient(getToken: () => string): TRPCClient<TaskpulseRouter> {
  const url = `${window.location.origin}/trpc`;
  return createTRPCClient<TaskpulseRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        // EventSource cannot send headers: the token goes in tRPC's connection params
        true: httpSubscriptionLink({ url, connectionParams: () => ({ token: getToken() }) }),
        false: httpBatchStreamLink({
          url,
          maxItems: 20,
          headers: () => ({ authorization: `Bearer ${getToken()}` }),
        }),
      }),
    ],
  });
}

/** The tRPC error code of an error (`UNAUTHORIZED`, `CONFLICT`, …), when it has one. */
export function errorCode(error: unknown): string | undefined {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: unknown } | undefined;
    return typeof data?.code === 'string' ? data.code : undefined;
  }
  return undefined;
}

/** Whether an error is worth retrying: no answer, or a server-side failure (5xx). */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return true;
  const status = (error.data as { httpStatus?: unknown } | undefined)?.httpStatus;
  return typeof status !== 'number' || status >= 500;
}

/** A message for the person at the screen: the server's, which never carries internals. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    // no shape: the request never got an answer from the API
    if (error.shape === undefined) return 'The server cannot be reached. Check that it runs.';
    if (errorCode(error) === 'CONFLICT') {
      return 'Someone changed this task in the meantime. Close this and try again with the current version.';
    }
    return error.message || 'The server could not do that.';
  }
  if (error instanceof TypeError) return 'The server cannot be reached. Check that it runs.';
  return error instanceof Error ? error.message : 'Something went wrong.';
}
