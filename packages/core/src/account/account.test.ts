import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { as, createUsers } from '../../test/fixtures.ts';
import { appendMessage, createConversation } from '../chat/index.ts';
import type { Taskpulse } from '../create-taskpulse.ts';
import { isTaskpulseError } from '../errors/index.ts';
import type { ChangeEvent } from '../events/index.ts';
import { createShare } from '../sharing/index.ts';
import type { LiveEmission } from '../stats/dashboard.ts';
import { getStatistics, rebuildCounters } from '../stats/index.ts';
import { createTask, updateTask } from '../tasks/index.ts';
import { addMember, createTeam } from '../teams/index.ts';
import { deleteAccount } from './delete-account.ts';
import { exportUserData } from './export-user-data.ts';
import { type ExportRecord, exportRecordSchema } from './schemas.ts';

/** Text that must come back byte for byte: emoji (astral), ZWJ sequences, combining marks, controls. */
const TEXTS = [
  'Plain title',
  'Emoji 🎉 and a family 👩‍👩‍👧‍👦 (ZWJ)',
  'Combining: e\u0301 vs \u00e9, Å vs A\u030a, ﬁ ligature',
  'Controls:\u0001\u0007\u001b[31m\tTab\r\nCRLF\u007f\u0085 and line separators \u2028\u2029',
  'RTL \u202eevil\u202c and zero width \u200b\u200d\ufeff, 中文, العربية, 🏳️‍🌈',
  '"quotes" \\ backslash \'single\' <b>html</b> & {"json": true}',
];

const at = (iso: string) => () => new Date(iso);
const sortById = (records: ExportRecord[]) =>
  [...records].sort((a, b) => (('id' in a ? a.id : '') < ('id' in b ? b.id : '') ? -1 : 1));

async function collectExport(tp: Taskpulse, userId: string, pageSize?: number) {
  const records: ExportRecord[] = [];
  for await (const record of exportUserData(
    as(tp, userId),
    pageSize === undefined ? {} : { pageSize },
  )) {
    records.push(record);
  }
  return records;
}

/** The ISO form of a timestamp column, computed by PostgreSQL (milliseconds, as the API answers). */
const iso = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** What an export of `me` must hold, read with plain SQL, independently of the export's queries. */
async function expectedFromSql(tp: Taskpulse, me: string) {
  const q = (sql: string) => tp.fork().execute(sql, [me]) as Promise<Record<string, unknown>[]>;
  const shareSql = (direction: string, where: string) => `select s.id, '${direction}' as direction,
      s.task_id as "taskId", s.permission,
      s.shared_by_user_id as "sharedByUserId",
      json_build_object('id', u.id, 'name', u.name, 'email', u.email) as "sharedWith",
      ${iso('s.created_at')} as "createdAt"
    from task_shares s join users u on u.id = s.shared_with_user_id where ${where}`;
  return {
    user: await q(
      `select id, email, name, ${iso('created_at')} as "createdAt" from users where id = ?`,
    ),
    task: await q(`select id, user_id as "userId", team_id as "teamId", title, description, status,
        priority, ${iso('due_at')} as "dueAt", ${iso('created_at')} as "createdAt",
        ${iso('updated_at')} as "updatedAt", ${iso('completed_at')} as "completedAt", version,
        'owner' as access
      from tasks where user_id = ?`),
    share: [
      ...(await q(shareSql('given', 's.task_id in (select id from tasks where user_id = ?)'))),
      ...(await q(shareSql('received', 's.shared_with_user_id = ?'))),
    ],
    team: await q(`select t.id, t.name, t.owner_id as "ownerId", ${iso('t.created_at')} as "createdAt",
        m.role, (select count(*)::int from team_members c where c.team_id = t.id) as "memberCount"
      from teams t join team_members m on m.team_id = t.id and m.user_id = t.owner_id
      where t.owner_id = ?`),
    membership:
      await q(`select m.team_id as "teamId", m.user_id as "userId", u.name, u.email, m.role,
        ${iso('m.created_at')} as "createdAt"
      from team_members m join users u on u.id = m.user_id where m.user_id = ?`),
    conversation: await q(`select id, title, ${iso('created_at')} as "createdAt",
        ${iso('updated_at')} as "updatedAt" from conversations where user_id = ?`),
    message: await q(`select m.id, m.conversation_id as "conversationId", m.role, m.content,
        ${iso('m.created_at')} as "createdAt"
      from messages m join conversations c on c.id = m.conversation_id where c.user_id = ?`),
  };
}

const byType = (records: ExportRecord[]) => {
  const groups: Record<string, Record<string, unknown>[]> = {};
  for (const { type, ...rest } of records) {
    groups[type] ??= [];
    groups[type].push(rest);
  }
  return groups;
};
const canonical = (rows: Record<string, unknown>[] = []) =>
  rows
    .map((row) =>
      JSON.stringify(Object.fromEntries(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : 1)))),
    )
    .sort();

/**
 * A small world around alice: her tasks (texts of every kind, ties on created_at, some written
 * behind the SDK's back with microsecond timestamps), shares she gave and received, a team she
 * owns with members, a team of erin's she belongs to with a task of hers in it, conversations
 * with messages. Returns the ids of everything of hers.
 */
async function buildWorld(tp: Taskpulse) {
  await createUsers(tp, ['alice', 'bob', 'carol', 'dave', 'erin']);
  await tp
    .fork()
    .execute(
      "update users set name = 'Alice 🌸 Ñandú', email = 'alice@example.com' where id = 'alice'",
    );
  const alice = (now?: () => Date) => as(tp, 'alice', now);
  const own = await createTeam(alice(), { name: 'Alice’s team ✨' });
  await addMember(alice(), { teamId: own.id, userId: 'dave', role: 'member' });
  const erins = await createTeam(as(tp, 'erin'), { name: 'Erin e\u0301quipe' });
  await addMember(as(tp, 'erin'), { teamId: erins.id, userId: 'alice', role: 'admin' });
  const taskIds: string[] = [];
  for (let i = 0; i < 23; i += 1) {
    // several tasks on one instant: the keyset must break ties by id
    const clock = at(`2026-03-0${1 + (i % 3)}T10:00:00.000Z`);
    const task = await createTask(alice(clock), {
      title: `${TEXTS[i % TEXTS.length]} #${i}`.slice(0, 200),
      description: i % 4 === 0 ? null : TEXTS.join('\n').repeat(1 + (i % 3)),
      priority: (['low', 'medium', 'high'] as const)[i % 3],
      dueAt: i % 5 === 0 ? null : '2026-03-10T08:30:00.123Z',
      teamId: i === 7 ? erins.id : i === 8 ? own.id : null,
    });
    if (i % 2 === 0) await updateTask(alice(clock), { id: task.id, status: 'completed' });
    taskIds.push(task.id);
  }
  // rows behind the SDK's back, created_at to the microsecond, two on the same microsecond
  await tp.fork().execute(
    `insert into tasks (id, user_id, title, created_at, updated_at) values
      (gen_random_uuid(), 'alice', 'raw one', '2026-03-01 10:00:00.000001+00', now()),
      (gen_random_uuid(), 'alice', 'raw two', '2026-03-01 10:00:00.000001+00', now()),
      (gen_random_uuid(), 'alice', 'raw three', '2026-03-01 10:00:00.0009+00', now())`,
  );
  for (const [index, taskId] of taskIds.slice(0, 6).entries()) {
    await createShare(alice(), {
      taskId,
      userId: index % 2 ? 'bob' : 'carol',
      permission: index % 3 ? 'view' : 'edit',
    });
  }
  const carolsTask = await createTask(as(tp, 'carol'), { title: 'Carol’s 🐈 task' });
  await createShare(as(tp, 'carol'), {
    taskId: carolsTask.id,
    userId: 'alice',
    permission: 'edit',
  });
  const bobsTask = await createTask(as(tp, 'bob'), { title: 'Bob’s task' });
  await createShare(as(tp, 'bob'), { taskId: bobsTask.id, userId: 'alice', permission: 'view' });
  // others' tasks in alice's team stay theirs
  const davesTask = await createTask(as(tp, 'dave'), { title: 'In Alice’s team', teamId: own.id });
  for (let c = 0; c < 3; c += 1) {
    const conversation = await createConversation(alice(at(`2026-03-0${c + 1}T12:00:00Z`)), {
      title: c === 1 ? null : `Chat ${TEXTS[c]}`,
    });
    for (let m = 0; m < 5 + c; m += 1) {
      await appendMessage(alice(at('2026-03-05T12:00:00Z')), {
        conversationId: conversation.id,
        role: (['user', 'assistant', 'system', 'tool'] as const)[m % 4] ?? 'user',
        content: `${TEXTS[m % TEXTS.length]} — message ${m}`,
      });
    }
  }
  // someone else's chat, which is not alice's to export
  await createConversation(as(tp, 'bob'), { title: 'Bob’s chat' });
  return {
    ownTeam: own.id,
    erinsTeam: erins.id,
    carolsTask: carolsTask.id,
    davesTask: davesTask.id,
  };
}

/** Reads a live stream in the background, collecting its emissions. */
function collectLive(stream: AsyncGenerator<LiveEmission>) {
  const emissions: LiveEmission[] = [];
  void (async () => {
    for await (const emission of stream) emissions.push(emission);
  })();
  const until = async (ok: () => boolean, what: string) => {
    const deadline = Date.now() + 5_000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return { emissions, until };
}

describeDatabases('your data: export and account deletion', (db) => {
  beforeEach(async () => {
    await db.tp.fork().execute('truncate users cascade');
    await db.tp.cache?.invalidateUsers(['alice', 'bob', 'carol', 'dave', 'erin']);
  });

  it('exports everything of the user, equal to SQL row for row and byte for byte, in keyset pages of any size', async () => {
    await buildWorld(db.tp);
    const expected = await expectedFromSql(db.tp, 'alice');
    // pages of 1 and 4 cross every page boundary, including ties on created_at
    for (const pageSize of [1, 4, 1000]) {
      const records = await collectExport(db.tp, 'alice', pageSize);
      for (const record of records) expect(exportRecordSchema.parse(record)).toEqual(record);
      const groups = byType(records);
      for (const [type, rows] of Object.entries(expected)) {
        expect(canonical(groups[type]), `${type} (pageSize ${pageSize})`).toEqual(canonical(rows));
      }
      expect(Object.keys(groups).sort()).toEqual(Object.keys(expected).sort());
      expect(records[0]?.type).toBe('user');
      // no record twice
      const keys = records.map(
        (record) => `${record.type}:${'id' in record ? record.id : JSON.stringify(record)}`,
      );
      expect(new Set(keys).size).toBe(keys.length);
      // messages follow their conversation
      let conversation: string | undefined;
      for (const record of records) {
        if (record.type === 'conversation') conversation = record.id;
        if (record.type === 'message') expect(record.conversationId).toBe(conversation);
      }
    }
    const counts = Object.fromEntries(
      Object.entries(expected).map(([type, rows]) => [type, rows.length]),
    );
    expect(counts).toEqual({
      user: 1,
      task: 26,
      share: 8,
      team: 1,
      membership: 2,
      conversation: 3,
      message: 18,
    });
    // the shares of her tasks first, then those she received
    expect(
      (await collectExport(db.tp, 'alice'))
        .filter((record) => record.type === 'share')
        .map((record) => record.direction),
    ).toEqual([...Array(6).fill('given'), ...Array(2).fill('received')]);
    // the texts are those that were written, code unit for code unit
    const titles = (await collectExport(db.tp, 'alice'))
      .filter((record) => record.type === 'task')
      .map((record) => record.title);
    for (const [i, text] of TEXTS.entries()) expect(titles).toContain(`${text} #${i}`);
  });

  it('refuses an export for a user who is not provisioned, and refuses bad options', async () => {
    await expect(collectExport(db.tp, 'nobody')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await createUsers(db.tp, ['alice']);
    const error = await collectExport(db.tp, 'alice', 0).catch((caught: unknown) => caught);
    expect(isTaskpulseError(error, 'VALIDATION')).toBe(true);
  });

  it('refuses to delete an account without confirm: true, and deletes nothing', async () => {
    await buildWorld(db.tp);
    const before = await collectExport(db.tp, 'alice');
    for (const input of [
      {},
      { confirm: false },
      { confirm: 'true' },
      { confirm: true, extra: 1 },
      null,
    ]) {
      const error = await deleteAccount(as(db.tp, 'alice'), input as never).catch(
        (caught: unknown) => caught,
      );
      expect(isTaskpulseError(error, 'VALIDATION'), JSON.stringify(input)).toBe(true);
    }
    expect(await collectExport(db.tp, 'alice')).toEqual(before);
    await expect(deleteAccount(as(db.tp, 'nobody'), { confirm: true })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  describe('deleting an account', () => {
    const aborts: AbortController[] = [];
    afterEach(() => {
      for (const abort of aborts.splice(0)) abort.abort();
    });

    it('leaves no row of the user in any table, keeps everyone’s counters exact and moves their live dashboards', async () => {
      const world = await buildWorld(db.tp);
      const exported = await collectExport(db.tp, 'alice');
      const ids = new Set(
        exported.flatMap((record) => (record.type !== 'user' && 'id' in record ? [record.id] : [])),
      );
      const memberIds = (await db.tp
        .fork()
        .execute(`select id from team_members where user_id = 'alice' or team_id = ?`, [
          world.ownTeam,
        ])) as { id: string }[];
      for (const row of memberIds) ids.add(row.id);
      const sql = (text: string) => db.tp.fork().execute(text);
      const [expected] = (await sql(`select
          (select count(*)::int from tasks where user_id = 'alice') as tasks,
          (select count(*)::int from task_shares s where s.shared_with_user_id = 'alice'
            or s.task_id in (select id from tasks where user_id = 'alice')) as shares,
          (select count(*)::int from teams where owner_id = 'alice') as teams,
          (select count(*)::int from team_members where user_id = 'alice' or team_id = '${world.ownTeam}') as memberships,
          (select count(*)::int from conversations where user_id = 'alice') as conversations,
          (select count(*)::int from messages where user_id = 'alice') as messages`)) as Record<
        string,
        number
      >[];
      expect(expected).toEqual({
        tasks: 26,
        shares: 8,
        teams: 1,
        memberships: 3,
        conversations: 3,
        messages: 18,
      });

      // bob received two of alice's tasks: his figures and his live dashboard must change
      const bobBefore = await db.tp.dashboard.statistics(as(db.tp, 'bob'));
      expect(bobBefore.shared).toBe(3 /* alice's 3 */);
      const abort = new AbortController();
      aborts.push(abort);
      const live = collectLive(
        db.tp.dashboard.live(as(db.tp, 'bob'), {}, { signal: abort.signal, coalesceMs: 10 }),
      );
      await live.until(() => live.emissions.length >= 1, 'the first emission');
      const events: ChangeEvent[] = [];
      const unsubscribe = db.tp.events.subscribe((event) => events.push(event));
      let deleted: Awaited<ReturnType<typeof deleteAccount>>;
      try {
        deleted = await deleteAccount(as(db.tp, 'alice'), { confirm: true });
      } finally {
        unsubscribe();
      }
      expect(deleted).toEqual({ userId: 'alice', ...expected });

      // not a row left: every text column of every table, and every uuid column against her ids
      const { rows: columns } = await db.tp
        .fork()
        .getKysely()
        .selectNoFrom((eb) => eb.val(1).as('x'))
        .execute()
        .then(async () => ({
          rows: (await sql(`select table_name, column_name, data_type from information_schema.columns
          where table_schema = current_schema() and data_type in ('text', 'character varying', 'uuid')
          and table_name in (select table_name from information_schema.tables
            where table_schema = current_schema() and table_type = 'BASE TABLE')`)) as {
            table_name: string;
            column_name: string;
            data_type: string;
          }[],
        }));
      const tables = new Set(columns.map((column) => column.table_name));
      for (const table of [
        'users',
        'tasks',
        'task_shares',
        'teams',
        'team_members',
        'conversations',
        'messages',
        'task_counts',
        'task_due_counts',
      ]) {
        expect(tables).toContain(table);
      }
      const leftovers: string[] = [];
      for (const { table_name, column_name, data_type } of columns) {
        const [row] = (await db.tp
          .fork()
          .execute(
            data_type === 'uuid'
              ? `select count(*)::int as n from "${table_name}" where "${column_name}" = any('{${[...ids].join(',')}}'::uuid[])`
              : `select count(*)::int as n from "${table_name}" where "${column_name}" = ?`,
            data_type === 'uuid' ? [] : ['alice'],
          )) as { n: number }[];
        if (row?.n) leftovers.push(`${table_name}.${column_name}: ${row.n}`);
      }
      expect(leftovers).toEqual([]);

      // others' rows stay: dave's task, out of the team that went; carol's task, unshared
      const [daves] = (await sql(`select team_id from tasks where id = '${world.davesTask}'`)) as {
        team_id: string | null;
      }[];
      expect(daves).toEqual({ team_id: null });
      expect(await sql(`select id from tasks where id = '${world.carolsTask}'`)).toHaveLength(1);
      expect(await sql(`select id from teams where id = '${world.erinsTeam}'`)).toHaveLength(1);

      // counters exact for everyone: a rebuild finds nothing to correct
      expect((await rebuildCounters(db.tp.fork())).corrected).toBe(0);
      const bobAfter = await db.tp.dashboard.statistics(as(db.tp, 'bob'));
      expect(bobAfter).toEqual(await getStatistics(as(db.tp, 'bob')));
      expect(bobAfter.shared).toBe(0);
      const carol = await db.tp.dashboard.shared(as(db.tp, 'carol'));
      expect(carol.sharedByMe).toBe(0); // her share with alice went with alice

      // one event, naming everyone whose figures or lists moved
      const event = events.find((candidate) => candidate.type === 'user.deleted');
      expect(event?.actorId).toBe('alice');
      expect(event?.affectedUserIds).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
      // bob's live dashboard moved without him doing anything
      await live.until(
        () => live.emissions.at(-1)?.data.statistics.shared === 0,
        'bob’s live figures',
      );

      // the same identity signs in again: a new, empty account
      const again = await db.tp.provisionUser({ id: 'alice' });
      expect(again.id).toBe('alice');
      expect(await collectExport(db.tp, 'alice')).toEqual([{ type: 'user', ...again }]);
    });

    it('rolls back with the host transaction it joined: nothing deleted, no event', async () => {
      await buildWorld(db.tp);
      const before = await collectExport(db.tp, 'alice');
      const events: ChangeEvent[] = [];
      const unsubscribe = db.tp.events.subscribe((event) => events.push(event));
      try {
        await db.tp
          .fork()
          .transactional(async (em) => {
            await deleteAccount(db.tp.context({ id: 'alice' }, { em }), { confirm: true });
            throw new Error('host rollback');
          })
          .catch((error: Error) => expect(error.message).toBe('host rollback'));
      } finally {
        unsubscribe();
      }
      expect(events.filter((event) => event.type === 'user.deleted')).toEqual([]);
      expect(sortById(await collectExport(db.tp, 'alice'))).toEqual(sortById(before));
    });
  });
});
