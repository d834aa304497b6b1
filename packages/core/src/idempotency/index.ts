export {
  type Claim,
  claimIdempotencyKey,
  deleteExpiredIdempotencyKeys,
  IDEMPOTENCY_KEY_TTL_MS,
  idempotencyKeyProblem,
  parseIdempotencyKey,
  requestHash,
  storeIdempotentResult,
  type WriteOptions,
} from './idempotency-keys.ts';
