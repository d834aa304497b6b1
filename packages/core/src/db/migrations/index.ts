import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122081701_initial } from './Migration20261122081701_initial.ts';
import { Migration20261122084720_task_counts } from './Migration20261122084720_task_counts.ts';
import { Migration20261122091509_task_counts_overdue } from './Migration20261122091509_task_counts_overdue.ts';
import { Migration20261202010000_idempotency_keys } from './Migration20261202010000_idempotency_keys.ts';
import { Migration20261202011500_task_activity_counts } from './Migration20261202011500_task_activity_counts.ts';
import { Migration20261202020000_user_email_verified } from './Migration20261202020000_user_email_verified.ts';

/**
 * Every migration, in order, listed explicitly so that bundled builds (which break folder
 * discovery) still find them. Each has a fixed name: the name recorded in
 * `mikro_orm_migrations` must never change once shipped.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261122081701_initial', class: Migration20261122081701_initial },
  { name: 'Migration20261122084720_task_counts', class: Migration20261122084720_task_counts },
  {
    name: 'Migration20261122091509_task_counts_overdue',
    class: Migration20261122091509_task_counts_overdue,
  },
  {
    name: 'Migration20261202010000_idempotency_keys',
    class: Migration20261202010000_idempotency_keys,
  },
  {
    name: 'Migration20261202011500_task_activity_counts',
    class: Migration20261202011500_task_activity_counts,
  },
  {
    name: 'Migration20261202020000_user_email_verified',
    class: Migration20261202020000_user_email_verified,
  },
];
