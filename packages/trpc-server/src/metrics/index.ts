export {
  type CacheCounts,
  createTaskpulseMetrics,
  type QueryEvent,
  type TaskpulseMetrics,
  type TaskpulseMetricsOptions,
} from './metrics.ts';
