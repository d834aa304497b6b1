export type { LiveStreamSlots } from './live-streams.ts';
export {
  createTaskpulseRuntime,
  liveStreamSlots,
  openRequestContext,
  type RequestInternals,
  requestInternals,
  type TaskpulseRuntime,
  type TaskpulseRuntimeOptions,
} from './runtime.ts';
