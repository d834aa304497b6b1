export {
  createTaskpulseRuntime,
  openRequestContext,
  type RequestInternals,
  requestInternals,
  type TaskpulseRuntime,
  type TaskpulseRuntimeOptions,
} from './runtime.ts';
