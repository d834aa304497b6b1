/**
 * The typed API client: `@taskpulse/client` (tRPC links: batched HTTP for calls, SSE for
 * `dashboard.live`, queries retried on network errors and 503) and its React entry. Only
 * types come from the server packages, so no server code reaches the bundle.
 */
import {
  createTaskpulseClient,
  getTaskpulseErrorCode,
  isTaskpulseClientError,
  type TaskDto,
  type TaskpulseClient,
} from '@taskpulse/client';

export type { RouterInputs, RouterOutputs } from '@taskpulse/client';
export {
  TaskpulseProvider,
  useLiveDashboard,
  useTaskpulse,
  useTaskpulseClient,
} from '@taskpulse/client/react';

/** A task, as the API returns it. */
export type Task = TaskDto;

/** A client of this origin's API, authenticated with the current token. */
export function createApiClient(getToken: () => string): TaskpulseClient {
  return createTaskpulseClient({ url: '/', getToken });
}

/** The tRPC error code of an error (`UNAUTHORIZED`, `CONFLICT`, …), when it has one. */
export const errorCode = (error: unknown): string | undefined => getTaskpulseErrorCode(error);

/** A message for the person at the screen: the server's, which never carries internals. */
export function errorMessage(error: unknown): string {
  if (isTaskpulseClientError(error)) {
    // no data: the request never got an answer from the API
    if (!error.data) return 'The server cannot be reached. Check that it runs.';
    if (error.data.code === 'CONFLICT') {
      return 'Someone changed this task in the meantime. Close this and try again with the current version.';
    }
    return error.message || 'The server could not do that.';
  }
  if (error instanceof TypeError) return 'The server cannot be reached. Check that it runs.';
  return error instanceof Error ? error.message : 'Something went wrong.';
}
