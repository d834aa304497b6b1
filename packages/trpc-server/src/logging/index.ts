export { createDefaultLogger, type TaskpulseLogger } from './logger.ts';
export { redactSql } from './redact-sql.ts';
export { requestIdFrom } from './request-id.ts';
export {
  type CallRecord,
  createRequestRecord,
  loggablePath,
  overallOutcome,
  type RequestRecord,
  requestLogFields,
} from './request-log.ts';
