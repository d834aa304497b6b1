import { Migration } from '@mikro-orm/migrations';

export class Migration20261122084720_task_counts extends Migration {
  override name = 'Migration20261122084720_task_counts';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "task_due_counts" ("user_id" text not null, "span" text not null, "starts_at" timestamptz not null, "pending" int not null, primary key ("user_id", "span", "starts_at"));`,
    );

    this.addSql(
      `create table "task_counts" ("user_id" text not null, "total" int not null default 0, "pending" int not null default 0, "completed" int not null default 0, "low" int not null default 0, "medium" int not null default 0, "high" int not null default 0, "shared_view" int not null default 0, "shared_edit" int not null default 0, "shared_by_me" int not null default 0, primary key ("user_id"));`,
    );

    this.addSql(
      `create index "tasks_user_pending_due_idx" on "tasks" ("user_id", "due_at") where "status" = 'pending' and "due_at" is not null;`,
    );
    this.addSql(`create or replace function "tasks_task_counts_insert_fn"() returns trigger language plpgsql as $$declare
  emptied_users text[];   emptied_spans text[];   emptied_starts timestamptz[]; begin
  insert into task_counts as tc (user_id, total, pending, completed, low, medium, high)
    select d.user_id, sum(d.total)::int, sum(d.pending)::int, sum(d.completed)::int, sum(d.low)::int, sum(d.medium)::int, sum(d.high)::int from (select r.user_id, r.sign as total,
      r.sign * (r.status = 'pending')::int as pending,
      r.sign * (r.status = 'completed')::int as completed,
      r.sign * (r.priority = 'low')::int as low,
      r.sign * (r.priority = 'medium')::int as medium,
      r.sign * (r.priority = 'high')::int as high,
      0 as shared_view, 0 as shared_edit, 0 as shared_by_me
    from (select user_id, status, priority, 1 as sign from new_rows ) as r) as d
    where exists (select 1 from users u where u.id = d.user_id)
    group by d.user_id having sum(d.total) <> 0 or sum(d.pending) <> 0 or sum(d.completed) <> 0 or sum(d.low) <> 0 or sum(d.medium) <> 0 or sum(d.high) <> 0 order by d.user_id
    on conflict (user_id) do update set total = tc.total + excluded.total, pending = tc.pending + excluded.pending, completed = tc.completed + excluded.completed, low = tc.low + excluded.low, medium = tc.medium + excluded.medium, high = tc.high + excluded.high;   with up as (
    insert into task_due_counts as b (user_id, span, starts_at, pending)
    select r.user_id, s.span, date_trunc(s.span, r.due_at, 'UTC'), sum(r.sign)::int
    from (select user_id, due_at, 1 as sign from new_rows where status = 'pending' and due_at is not null) as r
    cross join (values ('month'), ('day'), ('hour')) as s(span)
    where exists (select 1 from users u where u.id = r.user_id)
    group by 1, 2, 3 having sum(r.sign) <> 0 order by 1, 2, 3
    on conflict (user_id, span, starts_at) do update set pending = b.pending + excluded.pending
    returning b.user_id, b.span, b.starts_at, b.pending
  )
  select array_agg(up.user_id), array_agg(up.span), array_agg(up.starts_at)
    into emptied_users, emptied_spans, emptied_starts
    from up where up.pending = 0;   if emptied_users is not null then
    delete from task_due_counts b
      using unnest(emptied_users, emptied_spans, emptied_starts) as e(user_id, span, starts_at)
      where b.user_id = e.user_id and b.span = e.span and b.starts_at = e.starts_at and b.pending = 0;   end if;   return null; end$$;`);
    this.addSql(
      `create trigger "task_counts_insert" after insert on "tasks" referencing new table as new_rows for each statement execute function "tasks_task_counts_insert_fn"();`,
    );
    this.addSql(`create or replace function "tasks_task_counts_update_fn"() returns trigger language plpgsql as $$declare
  emptied_users text[];   emptied_spans text[];   emptied_starts timestamptz[]; begin
  with moved as (
        select o.id as task_id, o.user_id as old_owner, n.user_id as new_owner
        from old_rows o join new_rows n on n.id = o.id where n.user_id <> o.user_id
      ) insert into task_counts as tc (user_id, total, pending, completed, low, medium, high, shared_view, shared_edit, shared_by_me)
    select d.user_id, sum(d.total)::int, sum(d.pending)::int, sum(d.completed)::int, sum(d.low)::int, sum(d.medium)::int, sum(d.high)::int, sum(d.shared_view)::int, sum(d.shared_edit)::int, sum(d.shared_by_me)::int from (select r.user_id, r.sign as total,
      r.sign * (r.status = 'pending')::int as pending,
      r.sign * (r.status = 'completed')::int as completed,
      r.sign * (r.priority = 'low')::int as low,
      r.sign * (r.priority = 'medium')::int as medium,
      r.sign * (r.priority = 'high')::int as high,
      0 as shared_view, 0 as shared_edit, 0 as shared_by_me
    from (select user_id, status, priority, 1 as sign from new_rows  union all select user_id, status, priority, -1 as sign from old_rows ) as r union all select s.shared_with_user_id as user_id, 0, 0, 0, 0, 0, 0,
      ((s.shared_with_user_id <> m.new_owner)::int - (s.shared_with_user_id <> m.old_owner)::int) * (s.permission = 'view')::int,
      ((s.shared_with_user_id <> m.new_owner)::int - (s.shared_with_user_id <> m.old_owner)::int) * (s.permission = 'edit')::int,
      0
    from moved m join task_shares s on s.task_id = m.task_id
    union all
    select o.user_id, 0, 0, 0, 0, 0, 0, 0, 0, o.sign
    from moved m cross join lateral (values (m.old_owner, -1), (m.new_owner, 1)) as o(user_id, sign)
    where exists (select 1 from task_shares s where s.task_id = m.task_id)) as d
    where exists (select 1 from users u where u.id = d.user_id)
    group by d.user_id having sum(d.total) <> 0 or sum(d.pending) <> 0 or sum(d.completed) <> 0 or sum(d.low) <> 0 or sum(d.medium) <> 0 or sum(d.high) <> 0 or sum(d.shared_view) <> 0 or sum(d.shared_edit) <> 0 or sum(d.shared_by_me) <> 0 order by d.user_id
    on conflict (user_id) do update set total = tc.total + excluded.total, pending = tc.pending + excluded.pending, completed = tc.completed + excluded.completed, low = tc.low + excluded.low, medium = tc.medium + excluded.medium, high = tc.high + excluded.high, shared_view = tc.shared_view + excluded.shared_view, shared_edit = tc.shared_edit + excluded.shared_edit, shared_by_me = tc.shared_by_me + excluded.shared_by_me;   with up as (
    insert into task_due_counts as b (user_id, span, starts_at, pending)
    select r.user_id, s.span, date_trunc(s.span, r.due_at, 'UTC'), sum(r.sign)::int
    from (select user_id, due_at, 1 as sign from new_rows where status = 'pending' and due_at is not null union all select user_id, due_at, -1 as sign from old_rows where status = 'pending' and due_at is not null) as r
    cross join (values ('month'), ('day'), ('hour')) as s(span)
    where exists (select 1 from users u where u.id = r.user_id)
    group by 1, 2, 3 having sum(r.sign) <> 0 order by 1, 2, 3
    on conflict (user_id, span, starts_at) do update set pending = b.pending + excluded.pending
    returning b.user_id, b.span, b.starts_at, b.pending
  )
  select array_agg(up.user_id), array_agg(up.span), array_agg(up.starts_at)
    into emptied_users, emptied_spans, emptied_starts
    from up where up.pending = 0;   if emptied_users is not null then
    delete from task_due_counts b
      using unnest(emptied_users, emptied_spans, emptied_starts) as e(user_id, span, starts_at)
      where b.user_id = e.user_id and b.span = e.span and b.starts_at = e.starts_at and b.pending = 0;   end if;   return null; end$$;`);
    this.addSql(
      `create trigger "task_counts_update" after update on "tasks" referencing old table as old_rows new table as new_rows for each statement execute function "tasks_task_counts_update_fn"();`,
    );
    this.addSql(`create or replace function "tasks_task_counts_delete_fn"() returns trigger language plpgsql as $$declare
  emptied_users text[];   emptied_spans text[];   emptied_starts timestamptz[]; begin
  insert into task_counts as tc (user_id, total, pending, completed, low, medium, high)
    select d.user_id, sum(d.total)::int, sum(d.pending)::int, sum(d.completed)::int, sum(d.low)::int, sum(d.medium)::int, sum(d.high)::int from (select r.user_id, r.sign as total,
      r.sign * (r.status = 'pending')::int as pending,
      r.sign * (r.status = 'completed')::int as completed,
      r.sign * (r.priority = 'low')::int as low,
      r.sign * (r.priority = 'medium')::int as medium,
      r.sign * (r.priority = 'high')::int as high,
      0 as shared_view, 0 as shared_edit, 0 as shared_by_me
    from (select user_id, status, priority, -1 as sign from old_rows ) as r) as d
    where exists (select 1 from users u where u.id = d.user_id)
    group by d.user_id having sum(d.total) <> 0 or sum(d.pending) <> 0 or sum(d.completed) <> 0 or sum(d.low) <> 0 or sum(d.medium) <> 0 or sum(d.high) <> 0 order by d.user_id
    on conflict (user_id) do update set total = tc.total + excluded.total, pending = tc.pending + excluded.pending, completed = tc.completed + excluded.completed, low = tc.low + excluded.low, medium = tc.medium + excluded.medium, high = tc.high + excluded.high;   with up as (
    insert into task_due_counts as b (user_id, span, starts_at, pending)
    select r.user_id, s.span, date_trunc(s.span, r.due_at, 'UTC'), sum(r.sign)::int
    from (select user_id, due_at, -1 as sign from old_rows where status = 'pending' and due_at is not null) as r
    cross join (values ('month'), ('day'), ('hour')) as s(span)
    where exists (select 1 from users u where u.id = r.user_id)
    group by 1, 2, 3 having sum(r.sign) <> 0 order by 1, 2, 3
    on conflict (user_id, span, starts_at) do update set pending = b.pending + excluded.pending
    returning b.user_id, b.span, b.starts_at, b.pending
  )
  select array_agg(up.user_id), array_agg(up.span), array_agg(up.starts_at)
    into emptied_users, emptied_spans, emptied_starts
    from up where up.pending = 0;   if emptied_users is not null then
    delete from task_due_counts b
      using unnest(emptied_users, emptied_spans, emptied_starts) as e(user_id, span, starts_at)
      where b.user_id = e.user_id and b.span = e.span and b.starts_at = e.starts_at and b.pending = 0;   end if;   return null; end$$;`);
    this.addSql(
      `create trigger "task_counts_delete" after delete on "tasks" referencing old table as old_rows for each statement execute function "tasks_task_counts_delete_fn"();`,
    );
    this.addSql(`create or replace function "tasks_task_counts_truncate_fn"() returns trigger language plpgsql as $$begin
  delete from task_due_counts;   delete from task_counts;   return null; end$$;`);
    this.addSql(
      `create trigger "task_counts_truncate" after truncate on "tasks" for each statement execute function "tasks_task_counts_truncate_fn"();`,
    );
    this.addSql(`create or replace function "tasks_task_counts_before_delete_fn"() returns trigger language plpgsql as $$begin
  if exists (select 1 from task_shares s where s.task_id = old.id) then
    insert into task_counts as tc (user_id, shared_view, shared_edit, shared_by_me)
    select d.user_id, sum(d.shared_view)::int, sum(d.shared_edit)::int, sum(d.shared_by_me)::int from (select s.shared_with_user_id as user_id,
        -(s.permission = 'view')::int as shared_view,
        -(s.permission = 'edit')::int as shared_edit,
        0 as shared_by_me
      from task_shares s where s.task_id = old.id and s.shared_with_user_id <> old.user_id
      union all
      select old.user_id, 0, 0, -1) as d
    where exists (select 1 from users u where u.id = d.user_id)
    group by d.user_id order by d.user_id
    on conflict (user_id) do update set shared_view = tc.shared_view + excluded.shared_view, shared_edit = tc.shared_edit + excluded.shared_edit, shared_by_me = tc.shared_by_me + excluded.shared_by_me;   end if;   return old; end$$;`);
    this.addSql(
      `create trigger "task_counts_before_delete" before delete on "tasks" for each row execute function "tasks_task_counts_before_delete_fn"();`,
    );

    this.addSql(`create or replace function "task_shares_task_counts_insert_fn"() returns trigger language plpgsql as $$begin
  perform 1 from tasks t where t.id in (select task_id from new_rows) order by t.id for no key update;   with changed as (
    select task_id, shared_with_user_id, permission, 1 as sign from new_rows 
  ), task as (
    select t.id, t.user_id, a.added,
      (select count(*) from task_shares s where s.task_id = t.id)::int as shares
    from (select task_id, sum(sign)::int as added from changed group by task_id) as a
    join tasks t on t.id = a.task_id
  ) insert into task_counts as tc (user_id, shared_view, shared_edit, shared_by_me)
    select d.user_id, sum(d.shared_view)::int, sum(d.shared_edit)::int, sum(d.shared_by_me)::int from (select c.shared_with_user_id as user_id,
      c.sign * (c.permission = 'view')::int as shared_view,
      c.sign * (c.permission = 'edit')::int as shared_edit,
      0 as shared_by_me
    from changed c join task t on t.id = c.task_id
    where c.shared_with_user_id <> t.user_id
    union all
    select t.user_id, 0, 0, (t.shares > 0)::int - (t.shares - t.added > 0)::int from task t) as d
    where exists (select 1 from users u where u.id = d.user_id)
    group by d.user_id order by d.user_id
    on conflict (user_id) do update set shared_view = tc.shared_view + excluded.shared_view, shared_edit = tc.shared_edit + excluded.shared_edit, shared_by_me = tc.shared_by_me + excluded.shared_by_me;   return null; end$$;`);
    this.addSql(
      `create trigger "task_counts_insert" after insert on "task_shares" referencing new table as new_rows for each statement execute function "task_shares_task_counts_insert_fn"();`,
    );
    this.addSql(`create or replace function "task_shares_task_counts_update_fn"() returns trigger language plpgsql as $$begin
  perform 1 from tasks t where t.id in (select task_id from new_rows union select task_id from old_rows) order by t.id for no key update;   with changed as (
    select task_id, shared_with_user_id, permission, 1 as sign from new_rows  union all select task_id, shared_with_user_id, permission, -1 as sign from old_rows 
  ), task as (
    select t.id, t.user_id, a.added,
      (select count(*) from task_shares s where s.task_id = t.id)::int as shares
    from (select task_id, sum(sign)::int as added from changed group by task_id) as a
    join tasks t on t.id = a.task_id
  ) insert into task_counts as tc (user_id, shared_view, shared_edit, shared_by_me)
    select d.user_id, sum(d.shared_view)::int, sum(d.shared_edit)::int, sum(d.shared_by_me)::int from (select c.shared_with_user_id as user_id,
      c.sign * (c.permission = 'view')::int as shared_view,
      c.sign * (c.permission = 'edit')::int as shared_edit,
      0 as shared_by_me
    from changed c join task t on t.id = c.task_id
    where c.shared_with_user_id <> t.user_id
    union all
    select t.user_id, 0, 0, (t.shares > 0)::int - (t.shares - t.added > 0)::int from task t) as d
    where exists (select 1 from users u where u.id = d.user_id)
    group by d.user_id order by d.user_id
    on conflict (user_id) do update set shared_view = tc.shared_view + excluded.shared_view, shared_edit = tc.shared_edit + excluded.shared_edit, shared_by_me = tc.shared_by_me + excluded.shared_by_me;   return null; end$$;`);
    this.addSql(
      `create trigger "task_counts_update" after update on "task_shares" referencing old table as old_rows new table as new_rows for each statement execute function "task_shares_task_counts_update_fn"();`,
    );
    this.addSql(`create or replace function "task_shares_task_counts_delete_fn"() returns trigger language plpgsql as $$begin
  perform 1 from tasks t where t.id in (select task_id from old_rows) order by t.id for no key update;   with changed as (
    select task_id, shared_with_user_id, permission, -1 as sign from old_rows 
  ), task as (
    select t.id, t.user_id, a.added,
      (select count(*) from task_shares s where s.task_id = t.id)::int as shares
    from (select task_id, sum(sign)::int as added from changed group by task_id) as a
    join tasks t on t.id = a.task_id
  ) insert into task_counts as tc (user_id, shared_view, shared_edit, shared_by_me)
    select d.user_id, sum(d.shared_view)::int, sum(d.shared_edit)::int, sum(d.shared_by_me)::int from (select c.shared_with_user_id as user_id,
      c.sign * (c.permission = 'view')::int as shared_view,
      c.sign * (c.permission = 'edit')::int as shared_edit,
      0 as shared_by_me
    from changed c join task t on t.id = c.task_id
    where c.shared_with_user_id <> t.user_id
    union all
    select t.user_id, 0, 0, (t.shares > 0)::int - (t.shares - t.added > 0)::int from task t) as d
    where exists (select 1 from users u where u.id = d.user_id)
    group by d.user_id order by d.user_id
    on conflict (user_id) do update set shared_view = tc.shared_view + excluded.shared_view, shared_edit = tc.shared_edit + excluded.shared_edit, shared_by_me = tc.shared_by_me + excluded.shared_by_me;   return null; end$$;`);
    this.addSql(
      `create trigger "task_counts_delete" after delete on "task_shares" referencing old table as old_rows for each statement execute function "task_shares_task_counts_delete_fn"();`,
    );
    this.addSql(`create or replace function "task_shares_task_counts_truncate_fn"() returns trigger language plpgsql as $$begin
  update task_counts set shared_view = 0, shared_edit = 0, shared_by_me = 0
    where shared_view <> 0 or shared_edit <> 0 or shared_by_me <> 0;   return null; end$$;`);
    this.addSql(
      `create trigger "task_counts_truncate" after truncate on "task_shares" for each statement execute function "task_shares_task_counts_truncate_fn"();`,
    );

    this.addSql(
      `alter table "task_due_counts" add constraint "task_due_counts_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "task_due_counts" add constraint "task_due_counts_span_check" check ("span" in ('month', 'day', 'hour'));`,
    );

    this.addSql(
      `alter table "task_counts" add constraint "task_counts_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    // written by hand: the counters of the rows already there (what rebuildCounters computes)
    this.addSql(`insert into task_counts (user_id, total, pending, completed, low, medium, high, shared_view, shared_edit, shared_by_me)
      select u.id, coalesce(o.total, 0), coalesce(o.pending, 0), coalesce(o.completed, 0), coalesce(o.low, 0),
        coalesce(o.medium, 0), coalesce(o.high, 0), coalesce(r.shared_view, 0), coalesce(r.shared_edit, 0), coalesce(o.shared_by_me, 0)
      from users u
      left join (
        select t.user_id, count(*)::int as total,
          count(*) filter (where t.status = 'pending')::int as pending,
          count(*) filter (where t.status = 'completed')::int as completed,
          count(*) filter (where t.priority = 'low')::int as low,
          count(*) filter (where t.priority = 'medium')::int as medium,
          count(*) filter (where t.priority = 'high')::int as high,
          count(*) filter (where sh.task_id is not null)::int as shared_by_me
        from tasks t left join (select distinct task_id from task_shares) as sh on sh.task_id = t.id
        group by t.user_id
      ) as o on o.user_id = u.id
      left join (
        select s.shared_with_user_id as user_id,
          count(*) filter (where s.permission = 'view')::int as shared_view,
          count(*) filter (where s.permission = 'edit')::int as shared_edit
        from task_shares s join tasks t on t.id = s.task_id
        where t.user_id <> s.shared_with_user_id
        group by s.shared_with_user_id
      ) as r on r.user_id = u.id
      where o.user_id is not null or r.user_id is not null;`);
    this.addSql(`insert into task_due_counts (user_id, span, starts_at, pending)
      select t.user_id, s.span, date_trunc(s.span, t.due_at, 'UTC'), count(*)::int
      from tasks t cross join (values ('month'), ('day'), ('hour')) as s(span)
      where t.status = 'pending' and t.due_at is not null
      group by 1, 2, 3;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "task_due_counts" cascade;`);
    this.addSql(`drop table if exists "task_counts" cascade;`);

    this.addSql(`drop trigger if exists "task_counts_insert" on "task_shares";`);
    this.addSql(`drop function if exists "task_shares_task_counts_insert_fn"();`);
    this.addSql(`drop trigger if exists "task_counts_update" on "task_shares";`);
    this.addSql(`drop function if exists "task_shares_task_counts_update_fn"();`);
    this.addSql(`drop trigger if exists "task_counts_delete" on "task_shares";`);
    this.addSql(`drop function if exists "task_shares_task_counts_delete_fn"();`);
    // written by hand: the TRUNCATE triggers (declared inside the DELETE triggers' expressions)
    this.addSql(`drop trigger if exists "task_counts_truncate" on "task_shares";`);
    this.addSql(`drop function if exists "task_shares_task_counts_truncate_fn"();`);

    this.addSql(`drop index "tasks_user_pending_due_idx";`);
    this.addSql(`drop trigger if exists "task_counts_insert" on "tasks";`);
    this.addSql(`drop function if exists "tasks_task_counts_insert_fn"();`);
    this.addSql(`drop trigger if exists "task_counts_update" on "tasks";`);
    this.addSql(`drop function if exists "tasks_task_counts_update_fn"();`);
    this.addSql(`drop trigger if exists "task_counts_delete" on "tasks";`);
    this.addSql(`drop function if exists "tasks_task_counts_delete_fn"();`);
    this.addSql(`drop trigger if exists "task_counts_before_delete" on "tasks";`);
    this.addSql(`drop function if exists "tasks_task_counts_before_delete_fn"();`);
    this.addSql(`drop trigger if exists "task_counts_truncate" on "tasks";`);
    this.addSql(`drop function if exists "tasks_task_counts_truncate_fn"();`);
  }
}
