/**
 * The triggers that keep `task_counts`, `task_due_counts` and `task_activity_counts` exact: every write to `tasks`
 * and `task_shares` — through the SDK or behind its back, one row or a million, including
 * foreign-key cascades and TRUNCATE — adjusts the per-user counters in its own transaction.
 *
 * Design:
 * - Statement-level AFTER triggers with transition tables (`new_rows`, `old_rows`): each new
 *   row counts +1 and each old row −1, aggregated per user, so a bulk insert costs one upsert
 *   per user rather than one per row, and an update is "old out, new in" whatever changed
 *   (status, priority, due date, owner, even the id).
 * - A task's shares depend on its owner ("shared with me" excludes my own tasks, "shared by
 *   me" counts my tasks with a share). When a task is deleted, the cascade deletes its
 *   shares after the task row is gone, when the owner can no longer be read: a row-level
 *   BEFORE DELETE trigger on `tasks` accounts for them while they exist, and the share
 *   triggers skip shares whose task is gone.
 * - Share triggers lock the affected tasks (`for no key update`, in id order) before
 *   counting a task's shares, so that two transactions adding the first two shares of one
 *   task take turns and the second sees the first's share: a task is counted once in
 *   `shared_by_me`. They always write the owner's counters row (possibly +0), so that under
 *   REPEATABLE READ the second of two such transactions fails with a serialization error
 *   instead of counting from a stale snapshot.
 * - TRUNCATE triggers (statement level) reset what the truncated table fed.
 * - Counters of a user being deleted are not written (their row is going by cascade).
 * - `task_activity_counts`: each task counts +1 `created` in the UTC day, hour and quarter
 *   hour of its `created_at`, and +1 `completed` in those of its `completed_at` when set;
 *   an update is again "old out, new in", so a reopen, a re-complete, an edited
 *   `created_at` or a new owner move the right buckets. A bucket that reaches zero is
 *   deleted.
 *
 * MikroORM declares these triggers through the entities' `triggers` (raw `expression`s:
 * its generated form cannot declare transition tables). Its schema introspection reads
 * `information_schema.triggers`, which does not list TRUNCATE triggers, so those ride in
 * the expression of the DELETE trigger of the same table. A changed body is not detected by
 * the schema diff (expressions are compared by name only): change a trigger in a new
 * migration.
 */

/** The columns of `task_counts`, besides `user_id`. */
export const TASK_COUNT_COLUMNS = [
  'total',
  'pending',
  'completed',
  'low',
  'medium',
  'high',
  'shared_view',
  'shared_edit',
  'shared_by_me',
] as const;
/** A column of `task_counts`. */
export type TaskCountColumn = (typeof TASK_COUNT_COLUMNS)[number];

/** The bucket widths of `task_due_counts`, widest first. */
export const DUE_SPANS = ['month', 'day', 'hour'] as const;
/** A bucket width of `task_due_counts`. */
export type DueSpan = (typeof DUE_SPANS)[number];

/** The bucket widths of `task_activity_counts`, widest first (`quarter` = 15 minutes). */
export const ACTIVITY_SPANS = ['day', 'hour', 'quarter'] as const;
/** A bucket width of `task_activity_counts`. */
export type ActivitySpan = (typeof ACTIVITY_SPANS)[number];

/**
 * The SQL start of the UTC bucket of width `span` (a column or expression holding an
 * `ActivitySpan`) that contains the instant `at`: a UTC day, hour or quarter hour.
 */
export function activityBucketSql(span: string, at: string): string {
  return `case ${span} when 'quarter' then date_bin('15 minutes', ${at}, timestamptz '2000-01-01 00:00:00+00') else date_trunc(${span}, ${at}, 'UTC') end`;
}

type Rows = { new: boolean; old: boolean };

const OWN_COLUMNS = ['total', 'pending', 'completed', 'low', 'medium', 'high'] as const;
const SHARE_COLUMNS = ['shared_view', 'shared_edit', 'shared_by_me'] as const;

/** The signed rows of a statement: each row of `new_rows` +1, each row of `old_rows` −1. */
function signed(columns: string, rows: Rows, where = ''): string {
  const parts: string[] = [];
  if (rows.new) parts.push(`select ${columns}, 1 as sign from new_rows ${where}`);
  if (rows.old) parts.push(`select ${columns}, -1 as sign from old_rows ${where}`);
  return parts.join(' union all ');
}

/**
 * Adds the deltas of `deltas` (rows of `user_id` and `columns`) to `task_counts`, one upsert
 * per user in user order (a fixed lock order). Users being deleted are skipped.
 */
function addToCounts(deltas: string, columns: readonly TaskCountColumn[], skipZero: boolean) {
  const sums = columns.map((column) => `sum(d.${column})::int`).join(', ');
  const having = skipZero
    ? ` having ${columns.map((column) => `sum(d.${column}) <> 0`).join(' or ')}`
    : '';
  const set = columns.map((column) => `${column} = tc.${column} + excluded.${column}`).join(', ');
  return `insert into task_counts as tc (user_id, ${columns.join(', ')})
    select d.user_id, ${sums} from (${deltas}) as d
    where exists (select 1 from users u where u.id = d.user_id)
    group by d.user_id${having} order by d.user_id
    on conflict (user_id) do update set ${set}`;
}

/** The body of a statement trigger on `tasks`: owned counts, due buckets, moved shares. */
function tasksStatementBody(rows: Rows): string {
  const own = `select r.user_id, r.sign as total,
      r.sign * (r.status = 'pending')::int as pending,
      r.sign * (r.status = 'completed')::int as completed,
      r.sign * (r.priority = 'low')::int as low,
      r.sign * (r.priority = 'medium')::int as medium,
      r.sign * (r.priority = 'high')::int as high,
      0 as shared_view, 0 as shared_edit, 0 as shared_by_me
    from (${signed('user_id, status, priority', rows)}) as r`;
  // a task that changes owner takes its shares along: its recipients count it by its owner,
  // and its owners count it as "shared by me"
  const moved = `select s.shared_with_user_id as user_id, 0, 0, 0, 0, 0, 0,
      ((s.shared_with_user_id <> m.new_owner)::int - (s.shared_with_user_id <> m.old_owner)::int) * (s.permission = 'view')::int,
      ((s.shared_with_user_id <> m.new_owner)::int - (s.shared_with_user_id <> m.old_owner)::int) * (s.permission = 'edit')::int,
      0
    from moved m join task_shares s on s.task_id = m.task_id
    union all
    select o.user_id, 0, 0, 0, 0, 0, 0, 0, 0, o.sign
    from moved m cross join lateral (values (m.old_owner, -1), (m.new_owner, 1)) as o(user_id, sign)
    where exists (select 1 from task_shares s where s.task_id = m.task_id)`;
  const counts =
    rows.new && rows.old
      ? `with moved as (
        select o.id as task_id, o.user_id as old_owner, n.user_id as new_owner
        from old_rows o join new_rows n on n.id = o.id where n.user_id <> o.user_id
      ) ${addToCounts(`${own} union all ${moved}`, TASK_COUNT_COLUMNS, true)}`
      : addToCounts(own, OWN_COLUMNS, true);
  const due = signed('user_id, due_at', rows, `where status = 'pending' and due_at is not null`);
  // each task counts once at created_at and, when completed, once at completed_at
  const events = signed('user_id, created_at, completed_at', rows);
  return `declare
  emptied_users text[];
  emptied_spans text[];
  emptied_starts timestamptz[];
begin
  ${counts};
  with signed as (${events}), events as (
    select e.user_id, e.created_at as at, e.sign as created, 0 as completed from signed as e
    union all
    select e.user_id, e.completed_at, 0, e.sign from signed as e where e.completed_at is not null
  ), up as (
    insert into task_activity_counts as a (user_id, span, starts_at, created, completed)
    select r.user_id, s.span, ${activityBucketSql('s.span', 'r.at')}, sum(r.created)::int, sum(r.completed)::int
    from events as r
    cross join (values ${ACTIVITY_SPANS.map((span) => `('${span}')`).join(', ')}) as s(span)
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
    from (${due}) as r
    cross join (values ${DUE_SPANS.map((span) => `('${span}')`).join(', ')}) as s(span)
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
end`;
}

/** The body of a statement trigger on `task_shares`. */
function sharesStatementBody(rows: Rows): string {
  const taskIds = [
    rows.new && 'select task_id from new_rows',
    rows.old && 'select task_id from old_rows',
  ]
    .filter(Boolean)
    .join(' union ');
  const deltas = `select c.shared_with_user_id as user_id,
      c.sign * (c.permission = 'view')::int as shared_view,
      c.sign * (c.permission = 'edit')::int as shared_edit,
      0 as shared_by_me
    from changed c join task t on t.id = c.task_id
    where c.shared_with_user_id <> t.user_id
    union all
    select t.user_id, 0, 0, (t.shares > 0)::int - (t.shares - t.added > 0)::int from task t`;
  return `begin
  perform 1 from tasks t where t.id in (${taskIds}) order by t.id for no key update;
  with changed as (
    ${signed('task_id, shared_with_user_id, permission', rows)}
  ), task as (
    select t.id, t.user_id, a.added,
      (select count(*) from task_shares s where s.task_id = t.id)::int as shares
    from (select task_id, sum(sign)::int as added from changed group by task_id) as a
    join tasks t on t.id = a.task_id
  ) ${addToCounts(deltas, SHARE_COLUMNS, false)};
  return null;
end`;
}

/** The body of the row-level BEFORE DELETE trigger on `tasks`: the task's shares. */
const TASKS_BEFORE_DELETE_BODY = `begin
  if exists (select 1 from task_shares s where s.task_id = old.id) then
    ${addToCounts(
      `select s.shared_with_user_id as user_id,
        -(s.permission = 'view')::int as shared_view,
        -(s.permission = 'edit')::int as shared_edit,
        0 as shared_by_me
      from task_shares s where s.task_id = old.id and s.shared_with_user_id <> old.user_id
      union all
      select old.user_id, 0, 0, -1`,
      SHARE_COLUMNS,
      false,
    )};
  end if;
  return old;
end`;

const TASKS_TRUNCATE_BODY = `begin
  delete from task_activity_counts;
  delete from task_due_counts;
  delete from task_counts;
  return null;
end`;

const SHARES_TRUNCATE_BODY = `begin
  update task_counts set shared_view = 0, shared_edit = 0, shared_by_me = 0
    where shared_view <> 0 or shared_edit <> 0 or shared_by_me <> 0;
  return null;
end`;

type Event = 'insert' | 'update' | 'delete' | 'truncate';

/** A trigger as MikroORM's `defineEntity({ triggers })` takes it. */
export interface CounterTrigger {
  name: string;
  timing: 'before' | 'after';
  events: Event[];
  forEach: 'row' | 'statement';
  expression: string;
}

function createTrigger(
  table: string,
  name: string,
  timing: 'before' | 'after',
  event: Event,
  forEach: 'row' | 'statement',
  body: string,
): string {
  const rows: Record<Event, string> = {
    insert: ' referencing new table as new_rows',
    update: ' referencing old table as old_rows new table as new_rows',
    delete: ' referencing old table as old_rows',
    truncate: '',
  };
  const referencing = forEach === 'statement' ? rows[event] : '';
  // MikroORM names a trigger's function <table>_<trigger>_fn, and drops it by that name
  const fn = `"${table}_${name}_fn"`;
  return `create or replace function ${fn}() returns trigger language plpgsql as $$
${body}
$$;
create trigger "${name}" ${timing} ${event} on "${table}"${referencing} for each ${forEach} execute function ${fn}();`;
}

function statementTriggers(
  table: 'tasks' | 'task_shares',
  body: (rows: Rows) => string,
  truncateBody: string,
  extra: { name: string; expression: string }[] = [],
): CounterTrigger[] {
  const on = (event: 'insert' | 'update' | 'delete', rows: Rows): CounterTrigger => ({
    name: `task_counts_${event}`,
    timing: 'after',
    events: [event],
    forEach: 'statement',
    expression: createTrigger(
      table,
      `task_counts_${event}`,
      'after',
      event,
      'statement',
      body(rows),
    ),
  });
  const remove = on('delete', { new: false, old: true });
  remove.expression += `\n${createTrigger(table, 'task_counts_truncate', 'after', 'truncate', 'statement', truncateBody)}`;
  return [
    on('insert', { new: true, old: false }),
    on('update', { new: true, old: true }),
    remove,
    ...extra.map(({ name, expression }) => ({
      name,
      timing: 'before' as const,
      events: ['delete' as const],
      forEach: 'row' as const,
      expression,
    })),
  ];
}

/** The counter triggers on `tasks`. */
export const taskCounterTriggers: CounterTrigger[] = statementTriggers(
  'tasks',
  tasksStatementBody,
  TASKS_TRUNCATE_BODY,
  [
    {
      name: 'task_counts_before_delete',
      expression: createTrigger(
        'tasks',
        'task_counts_before_delete',
        'before',
        'delete',
        'row',
        TASKS_BEFORE_DELETE_BODY,
      ),
    },
  ],
);

/** The counter triggers on `task_shares`. */
export const shareCounterTriggers: CounterTrigger[] = statementTriggers(
  'task_shares',
  sharesStatementBody,
  SHARES_TRUNCATE_BODY,
);
