export {
  type LiveDashboard,
  type LiveDashboardStatus,
  type UseLiveDashboardOptions,
  useLiveDashboard,
} from './live-dashboard.ts';
export {
  type TaskpulseOptionsProxy,
  TaskpulseProvider,
  type TaskpulseProviderProps,
  useTaskpulse,
  useTaskpulseClient,
} from './provider.ts';
