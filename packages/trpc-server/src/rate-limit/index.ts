export {
  DEFAULT_IP_BUDGET,
  DEFAULT_USER_BUDGET,
  type RateLimitBudget,
  type RateLimitRedisOption,
  type RedisClientLike,
  type TaskpulseRateLimitOptions,
} from './options.ts';
export { createRateLimiter, type RateLimiter } from './rate-limiter.ts';
