export {
  type CacheCounts,
  createTaskpulseMetrics,
  type McpOperation,
  type QueryEvent,
  type TaskpulseMetrics,
  type TaskpulseMetricsOptions,
} from './metrics.ts';
