import type { QueryClient } from '@tanstack/react-query';
// the main entry by its package name, so that this entry's declarations import it rather than copy it
import type { TaskpulseApiRouter, TaskpulseClient } from '@taskpulse/client';
import { createTRPCContext, type TRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { createElement, type ReactNode } from 'react';

const context = createTRPCContext<TaskpulseApiRouter>();

/**
 * Query and mutation options for every taskpulse procedure, for TanStack Query's hooks:
 * `useQuery(taskpulse.dashboard.statistics.queryOptions())`,
 * `useMutation(taskpulse.tasks.create.mutationOptions())`, and their query keys and filters.
 */
export type TaskpulseOptionsProxy = TRPCOptionsProxy<TaskpulseApiRouter>;

/** Props of {@link TaskpulseProvider}. */
export interface TaskpulseProviderProps {
  /** The client to call through: `createTaskpulseClient(…)` from `@taskpulse/client`. */
  client: TaskpulseClient;
  /** The app's TanStack Query client (also given to its `QueryClientProvider`). */
  queryClient: QueryClient;
  children?: ReactNode;
}

/**
 * Makes a taskpulse client available to {@link useTaskpulse}, {@link useTaskpulseClient} and
 * {@link useLiveDashboard} below it. Put it inside TanStack Query's `QueryClientProvider`,
 * with the same query client; create both once (outside render, or in `useState`).
 *
 * @example
 * ```tsx
 * const queryClient = new QueryClient();
 * const client = createTaskpulseClient({ url: '/', getToken });
 *
 * <QueryClientProvider client={queryClient}>
 *   <TaskpulseProvider client={client} queryClient={queryClient}>
 *     <Dashboard />
 *   </TaskpulseProvider>
 * </QueryClientProvider>
 * ```
 */
export function TaskpulseProvider({ client, queryClient, children }: TaskpulseProviderProps) {
  return createElement(context.TRPCProvider, { trpcClient: client, queryClient, children });
}

/**
 * The taskpulse options proxy (tRPC's TanStack Query integration): options, keys and filters
 * of every procedure, to pass to TanStack Query's own hooks.
 *
 * @example
 * ```tsx
 * const taskpulse = useTaskpulse();
 * const stats = useQuery(taskpulse.dashboard.statistics.queryOptions());
 * const create = useMutation(taskpulse.tasks.create.mutationOptions());
 * ```
 */
export const useTaskpulse: () => TaskpulseOptionsProxy = context.useTRPC;

/** The {@link TaskpulseClient} given to {@link TaskpulseProvider}, for calls outside TanStack Query. */
export const useTaskpulseClient: () => TaskpulseClient = context.useTRPCClient;
