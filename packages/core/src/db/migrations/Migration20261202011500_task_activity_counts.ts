import { Migration } from '@mikro-orm/migrations';

/**
 * `task_activity_counts`: per-user counts of created and completed tasks by UTC day, hour and
 * quarter hour, kept by the triggers on `tasks` (their functions replaced here) and filled
 * from the existing rows; `task_activity_at`, which reads them; and the index that counts
 * completions exactly at the edges of a window that are not on a quarter hour.
 */
export class Migration20261202011500_task_activity_counts extends Migration {
  override name = 'Migration20261202011500_task_activity_counts';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "task_activity_counts" ("user_id" text not null, "span" text not null, "starts_at" timestamptz not null, "created" int not null, "completed" int not null, primary key ("user_id", "span", "starts_at"));`,
    );

    this.addSql(
      `alter table "task_activity_counts" add constraint "task_activity_counts_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "task_activity_counts" add constraint "task_activity_counts_span_check" check ("span" in ('day', 'hour', 'quarter'));`,
    );

    this.addSql(
      `create index "tasks_user_completed_idx" on "tasks" ("user_id", "completed_at") where "completed_at" is not null;`,
    );

    this.addSql(`create or replace function "tasks_task_counts_insert_fn"() returns trigger language plpgsql as $$
declare
  emptied_users text[];
  emptied_spans text[];
  emptied_starts timestamptz[];
begin
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
    on conflict (user_id) do update set total = tc.total + excluded.total, pending = tc.pending + excluded.pending, completed = tc.completed + excluded.completed, low = tc.low + excluded.low, medium = tc.medium + excluded.medium, high = tc.high + excluded.high;
  with signed as (select user_id, created_at, completed_at, 1 as sign from new_rows ), events as (
    select e.user_id, e.created_at as at, e.sign as created, 0 as completed from signed as e
    union all
    select e.user_id, e.completed_at, 0, e.sign from signed as e where e.completed_at is not null
  ), up as (
    insert into task_activity_counts as a (user_id, span, starts_at, created, completed)
    select r.user_id, s.span, case s.span when 'quarter' then date_bin('15 minutes', r.at, timestamptz '2000-01-01 00:00:00+00') else date_trunc(s.span, r.at, 'UTC') end, sum(r.created)::int, sum(r.completed)::int
    from events as r
    cross join (values ('day'), ('hour'), ('quarter')) as s(span)
    where exists (select 1 from users u where u.id = r.user_id)
    group by 1, 2, 3 having sum(r.created) <> 0 or sum(r.completed) <> 0 order by 1, 2, 3
    on conflict (user_id, span, starts_at) do update
      set created = a.created + excluded.created, completed = a.completed + excluded.completed
    returning a.user_id, a.span, a.starts_at, a.created, a.completed
  )
  select array_agg(up.user_id), array_agg(up.span), array_agg(up.starts_at)
    into emptied_users, emptied_spans, emptied_starts
    from up where up.created = 0 and up.completed = 0;
  if emptied_users is not null then
    delete from task_activity_counts a
      using unnest(emptied_users, emptied_spans, emptied_starts) as e(user_id, span, starts_at)
      where a.user_id = e.user_id and a.span = e.span and a.starts_at = e.starts_at
        and a.created = 0 and a.completed = 0;
  end if;
  with up as (
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
    from up where up.pending = 0;
  if emptied_users is not null then
    delete from task_due_counts b
      using unnest(emptied_users, emptied_spans, emptied_starts) as e(user_id, span, starts_at)
      where b.user_id = e.user_id and b.span = e.span and b.starts_at = e.starts_at and b.pending = 0;
  end if;
  return null;
end
$$;`);

    this.addSql(`create or replace function "tasks_task_counts_update_fn"() returns trigger language plpgsql as $$
declare
  emptied_users text[];
  emptied_spans text[];
  emptied_starts timestamptz[];
begin
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
    on conflict (user_id) do update set total = tc.total + excluded.total, pending = tc.pending + excluded.pending, completed = tc.completed + excluded.completed, low = tc.low + excluded.low, medium = tc.medium + excluded.medium, high = tc.high + excluded.high, shared_view = tc.shared_view + excluded.shared_view, shared_edit = tc.shared_edit + excluded.shared_edit, shared_by_me = tc.shared_by_me + excluded.shared_by_me;
  with signed as (select user_id, created_at, completed_at, 1 as sign from new_rows  union all select user_id, created_at, completed_at, -1 as sign from old_rows ), events as (
    select e.user_id, e.created_at as at, e.sign as created, 0 as completed from signed as e
    union all
    select e.user_id, e.completed_at, 0, e.sign from signed as e where e.completed_at is not null
  ), up as (
    insert into task_activity_counts as a (user_id, span, starts_at, created, completed)
    select r.user_id, s.span, case s.span when 'quarter' then date_bin('15 minutes', r.at, timestamptz '2000-01-01 00:00:00+00') else date_trunc(s.span, r.at, 'UTC') end, sum(r.created)::int, sum(r.completed)::int
    from events as r
    cross join (values ('day'), ('hour'), ('quarter')) as s(span)
    where exists (select 1 from users u where u.id = r.user_id)
    group by 1, 2, 3 having sum(r.created) <> 0 or sum(r.completed) <> 0 order by 1, 2, 3
    on conflict (user_id, span, starts_at) do update
      set created = a.created + excluded.created, completed = a.completed + excluded.completed
    returning a.user_id, a.span, a.starts_at, a.created, a.completed
  )
  select array_agg(up.user_id), array_agg(up.span), array_agg(up.starts_at)
    into emptied_users, emptied_spans, emptied_starts
    from up where up.created = 0 and up.completed = 0;
  if emptied_users is not null then
    delete from task_activity_counts a
      using unnest(emptied_users, emptied_spans, emptied_starts) as e(user_id, span, starts_at)
      where a.user_id = e.user_id and a.span = e.span and a.starts_at = e.starts_at
        and a.created = 0 and a.completed = 0;
  end if;
  with up as (
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
    from up where up.pending = 0;
  if emptied_users is not null then
    delete from task_due_counts b
      using unnest(emptied_users, emptied_spans, emptied_starts) as e(user_id, span, starts_at)
      where b.user_id = e.user_id and b.span = e.span and b.starts_at = e.starts_at and b.pending = 0;
  end if;
  return null;
end
$$;`);

    this.addSql(`create or replace function "tasks_task_counts_delete_fn"() returns trigger language plpgsql as $$
declare
  emptied_users text[];
  emptied_spans text[];
  emptied_starts timestamptz[];
begin
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
    on conflict (user_id) do update set total = tc.total + excluded.total, pending = tc.pending + excluded.pending, completed = tc.completed + excluded.completed, low = tc.low + excluded.low, medium = tc.medium + excluded.medium, high = tc.high + excluded.high;
  with signed as (select user_id, created_at, completed_at, -1 as sign from old_rows ), events as (
    select e.user_id, e.created_at as at, e.sign as created, 0 as completed from signed as e
    union all
    select e.user_id, e.completed_at, 0, e.sign from signed as e where e.completed_at is not null
  ), up as (
    insert into task_activity_counts as a (user_id, span, starts_at, created, completed)
    select r.user_id, s.span, case s.span when 'quarter' then date_bin('15 minutes', r.at, timestamptz '2000-01-01 00:00:00+00') else date_trunc(s.span, r.at, 'UTC') end, sum(r.created)::int, sum(r.completed)::int
    from events as r
    cross join (values ('day'), ('hour'), ('quarter')) as s(span)
    where exists (select 1 from users u where u.id = r.user_id)
    group by 1, 2, 3 having sum(r.created) <> 0 or sum(r.completed) <> 0 order by 1, 2, 3
    on conflict (user_id, span, starts_at) do update
      set created = a.created + excluded.created, completed = a.completed + excluded.completed
    returning a.user_id, a.span, a.starts_at, a.created, a.completed
  )
  select array_agg(up.user_id), array_agg(up.span), array_agg(up.starts_at)
    into emptied_users, emptied_spans, emptied_starts
    from up where up.created = 0 and up.completed = 0;
  if emptied_users is not null then
    delete from task_activity_counts a
      using unnest(emptied_users, emptied_spans, emptied_starts) as e(user_id, span, starts_at)
      where a.user_id = e.user_id and a.span = e.span and a.starts_at = e.starts_at
        and a.created = 0 and a.completed = 0;
  end if;
  with up as (
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
    from up where up.pending = 0;
  if emptied_users is not null then
    delete from task_due_counts b
      using unnest(emptied_users, emptied_spans, emptied_starts) as e(user_id, span, starts_at)
      where b.user_id = e.user_id and b.span = e.span and b.starts_at = e.starts_at and b.pending = 0;
  end if;
  return null;
end
$$;`);

    this.addSql(`create or replace function "tasks_task_counts_truncate_fn"() returns trigger language plpgsql as $$
begin
  delete from task_activity_counts;
  delete from task_due_counts;
  delete from task_counts;
  return null;
end
$$;`);

    this.addSql(`create or replace function task_activity_at(p_user_id text, p_at timestamptz[])
returns table(at_index integer, created integer, completed integer)
language plpgsql stable
set plan_cache_mode = force_generic_plan as $$
begin
  return query
  with edge as (
    select e.i::integer as i, e.x,
      date_trunc('day', e.x + interval '12 hours', 'UTC') as d,
      date_trunc('hour', e.x + interval '30 minutes', 'UTC') as h,
      date_bin('15 minutes', e.x + interval '450 seconds', timestamptz '2000-01-01 00:00:00+00') as q
    from unnest(p_at) with ordinality as e(x, i)
  ), bounds as (
    select min(edge.d) as d0, max(edge.d) as d1 from edge
  ), timeline as (
    select edge.d as t, 0 as kind, edge.i, 0 as c, 0 as k from edge
    union all
    select a.starts_at, 1, null::integer, a.created, a.completed
    from task_activity_counts a, bounds b
    where a.user_id = p_user_id and a.span = 'day' and a.starts_at >= b.d0 and a.starts_at < b.d1
  ), prefix as (
    select tl.i, sum(tl.c) over w as c, sum(tl.k) over w as k
    from timeline tl
    window w as (order by tl.t, tl.kind rows unbounded preceding)
  ), residual as (
    select edge.i, hr.c + qr.c + xc.n as c, hr.k + qr.k + xk.n as k
    from edge
    cross join lateral (
      select sign(extract(epoch from edge.h - edge.d)) * coalesce(sum(a.created), 0) as c,
        sign(extract(epoch from edge.h - edge.d)) * coalesce(sum(a.completed), 0) as k
      from task_activity_counts a
      where edge.h <> edge.d and a.user_id = p_user_id and a.span = 'hour'
        and a.starts_at >= least(edge.d, edge.h) and a.starts_at < greatest(edge.d, edge.h)
    ) as hr
    cross join lateral (
      select sign(extract(epoch from edge.q - edge.h)) * coalesce(sum(a.created), 0) as c,
        sign(extract(epoch from edge.q - edge.h)) * coalesce(sum(a.completed), 0) as k
      from task_activity_counts a
      where edge.q <> edge.h and a.user_id = p_user_id and a.span = 'quarter'
        and a.starts_at >= least(edge.h, edge.q) and a.starts_at < greatest(edge.h, edge.q)
    ) as qr
    cross join lateral (
      select sign(extract(epoch from edge.x - edge.q)) * count(*) as n
      from tasks t
      where edge.x <> edge.q and t.user_id = p_user_id
        and t.created_at >= least(edge.q, edge.x) and t.created_at < greatest(edge.q, edge.x)
    ) as xc
    cross join lateral (
      select sign(extract(epoch from edge.x - edge.q)) * count(*) as n
      from tasks t
      where edge.x <> edge.q and t.user_id = p_user_id and t.completed_at is not null
        and t.completed_at >= least(edge.q, edge.x) and t.completed_at < greatest(edge.q, edge.x)
    ) as xk
  )
  select r.i, (p.c + r.c)::integer, (p.k + r.k)::integer
  from residual r join prefix p on p.i = r.i
  order by r.i;
end
$$;`);

    this.addSql(`insert into task_activity_counts (user_id, span, starts_at, created, completed)
select e.user_id, s.span, case s.span when 'quarter' then date_bin('15 minutes', e.at, timestamptz '2000-01-01 00:00:00+00') else date_trunc(s.span, e.at, 'UTC') end,
  sum(e.created)::int, sum(e.completed)::int
from (
  select t.user_id, t.created_at as at, 1 as created, 0 as completed from tasks t
  union all
  select t.user_id, t.completed_at, 0, 1 from tasks t where t.completed_at is not null
) as e
cross join (values ('day'), ('hour'), ('quarter')) as s(span)
group by 1, 2, 3 order by 1, 2, 3;`);
  }

  override down(): void | Promise<void> {
    // the trigger functions of tasks as they were before
    this.addSql(`create or replace function "tasks_task_counts_insert_fn"() returns trigger language plpgsql as $$
declare
  emptied_users text[];
  emptied_spans text[];
  emptied_starts timestamptz[];
begin
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
    on conflict (user_id) do update set total = tc.total + excluded.total, pending = tc.pending + excluded.pending, completed = tc.completed + excluded.completed, low = tc.low + excluded.low, medium = tc.medium + excluded.medium, high = tc.high + excluded.high;
  with up as (
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
    from up where up.pending = 0;
  if emptied_users is not null then
    delete from task_due_counts b
      using unnest(emptied_users, emptied_spans, emptied_starts) as e(user_id, span, starts_at)
      where b.user_id = e.user_id and b.span = e.span and b.starts_at = e.starts_at and b.pending = 0;
  end if;
  return null;
end
$$;`);

    this.addSql(`create or replace function "tasks_task_counts_update_fn"() returns trigger language plpgsql as $$
declare
  emptied_users text[];
  emptied_spans text[];
  emptied_starts timestamptz[];
begin
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
    on conflict (user_id) do update set total = tc.total + excluded.total, pending = tc.pending + excluded.pending, completed = tc.completed + excluded.completed, low = tc.low + excluded.low, medium = tc.medium + excluded.medium, high = tc.high + excluded.high, shared_view = tc.shared_view + excluded.shared_view, shared_edit = tc.shared_edit + excluded.shared_edit, shared_by_me = tc.shared_by_me + excluded.shared_by_me;
  with up as (
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
    from up where up.pending = 0;
  if emptied_users is not null then
    delete from task_due_counts b
      using unnest(emptied_users, emptied_spans, emptied_starts) as e(user_id, span, starts_at)
      where b.user_id = e.user_id and b.span = e.span and b.starts_at = e.starts_at and b.pending = 0;
  end if;
  return null;
end
$$;`);

    this.addSql(`create or replace function "tasks_task_counts_delete_fn"() returns trigger language plpgsql as $$
declare
  emptied_users text[];
  emptied_spans text[];
  emptied_starts timestamptz[];
begin
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
    on conflict (user_id) do update set total = tc.total + excluded.total, pending = tc.pending + excluded.pending, completed = tc.completed + excluded.completed, low = tc.low + excluded.low, medium = tc.medium + excluded.medium, high = tc.high + excluded.high;
  with up as (
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
    from up where up.pending = 0;
  if emptied_users is not null then
    delete from task_due_counts b
      using unnest(emptied_users, emptied_spans, emptied_starts) as e(user_id, span, starts_at)
      where b.user_id = e.user_id and b.span = e.span and b.starts_at = e.starts_at and b.pending = 0;
  end if;
  return null;
end
$$;`);

    this.addSql(`create or replace function "tasks_task_counts_truncate_fn"() returns trigger language plpgsql as $$
begin
  delete from task_due_counts;
  delete from task_counts;
  return null;
end
$$;`);

    this.addSql(`drop function if exists "task_activity_at"(text, timestamptz[]);`);

    this.addSql(`drop index if exists "tasks_user_completed_idx";`);

    this.addSql(`drop table if exists "task_activity_counts" cascade;`);
  }
}
