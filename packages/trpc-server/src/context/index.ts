export { type CallScope, currentCallScope, runInCallScope } from './call-scope.ts';
export {
  type AuthenticatedCaller,
  type TaskpulseRequestContext,
  type TaskpulseRequestInit,
  toHeaders,
} from './request-context.ts';
