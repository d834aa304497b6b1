export {
  type SeedBulkOptions,
  type SeedBulkResult,
  seedBulk,
  seedBulkOptionsSchema,
} from './bulk.ts';
export {
  DEMO_USERS,
  type DemoUserId,
  type SeedDemoOptions,
  type SeedSummary,
  seedDemo,
} from './demo.ts';
