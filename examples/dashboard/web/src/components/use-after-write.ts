import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useTaskpulse } from '../api.ts';

/**
 * Refetches what a write may have changed: every figure, every task list and the shares.
 * (`dashboard.live` brings the same news a moment later, and to every other open page.)
 */
export function useAfterWrite(): () => Promise<void> {
  const taskpulse = useTaskpulse();
  const queryClient = useQueryClient();
  return useCallback(async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: taskpulse.dashboard.pathKey() }),
      queryClient.invalidateQueries({ queryKey: taskpulse.tasks.pathKey() }),
      queryClient.invalidateQueries({ queryKey: taskpulse.shares.pathKey() }),
    ]);
  }, [queryClient, taskpulse]);
}
