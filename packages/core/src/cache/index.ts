export type { StatsCacheKey, StatsCacheParamValue } from './cache-key.ts';
export {
  StatsCache,
  type StatsCacheCounters,
  type StatsCacheOptions,
  type StatsCacheRedisOptions,
} from './stats-cache.ts';
