import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useTRPC } from '../api.ts';

/**
 * Refetches what a write may have changed: every figure, every task list and the shares.
 * (`dashboard.live` brings the same news a moment later, and to every other open page.)
 */
export function useAfterWrite(): () => Promise<void> {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useCallback(async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.dashboard.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.tasks.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.shares.pathKey() }),
    ]);
  }, [queryClient, trpc]);
}
