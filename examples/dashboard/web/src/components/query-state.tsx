import type { ReactNode } from 'react';
import { errorMessage } from '../api.ts';

/**
 * Shows `children(data)` once there is data (keeping it while a refetch runs or fails), a
 * loading line before, and the error with a retry button when loading failed.
 */
export function QueryState<T>({
  query,
  what,
  children,
}: {
  query: { data: T | undefined; error: unknown; refetch: () => unknown };
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.error) {
    return (
      <div className="query-error" role="alert">
        <p>
          Could not load {what}. {errorMessage(query.error)}
        </p>
        <button type="button" onClick={() => void query.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}
