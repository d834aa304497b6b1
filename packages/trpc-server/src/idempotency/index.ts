export {
  IDEMPOTENCY_KEY_HEADER,
  idempotencyKeyOfCall,
  parseIdempotencyKeyHeader,
} from './idempotency-key-header.ts';
