import { Migration } from '@mikro-orm/migrations';

export class Migration20261122091509_task_counts_overdue extends Migration {
  override name = 'Migration20261122091509_task_counts_overdue';

  override up(): void | Promise<void> {
    this.addSql(`create or replace function task_counts_overdue(p_user_id text, p_at timestamptz)
returns integer language plpgsql stable as $$declare
  month_start timestamptz := date_trunc('month', p_at, 'UTC');   day_start timestamptz := date_trunc('day', p_at, 'UTC');   hour_start timestamptz := date_trunc('hour', p_at, 'UTC'); begin
  return ((select coalesce(sum(b.pending), 0) from task_due_counts b
      where b.user_id = p_user_id and b.span = 'month' and b.starts_at < month_start)
    + (select coalesce(sum(b.pending), 0) from task_due_counts b
      where b.user_id = p_user_id and b.span = 'day' and b.starts_at >= month_start and b.starts_at < day_start)
    + (select coalesce(sum(b.pending), 0) from task_due_counts b
      where b.user_id = p_user_id and b.span = 'hour' and b.starts_at >= day_start and b.starts_at < hour_start)
    + (select count(*) from tasks t
      where t.user_id = p_user_id and t.status = 'pending' and t.due_at >= hour_start and t.due_at < p_at))::integer; end$$;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop function if exists "task_counts_overdue"(text, timestamptz);`);
  }
}
