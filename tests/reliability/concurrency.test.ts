/**
 * Concurrency over real HTTP: many clients changing the same objects at the same instant.
 * Optimistic locking lets exactly one update per version win, shares never duplicate, and a
 * task's completed_at always agrees with its status — whatever the interleaving.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, tokenFor, useApi } from '../harness/api.ts';
import { useSql } from '../harness/database.ts';
import { byLength } from '../harness/env.ts';
import { mutate, outcomeOf, query, send, type WireResponse } from '../harness/wire.ts';

const PARALLEL = 50;

interface TaskDto {
  id: string;
  title: string;
  status: 'pending' | 'completed';
  completedAt: string | null;
  updatedAt: string;
  version: number;
}

/** Counts outcomes: `{ ok: 1, CONFLICT: 49 }`. */
const tally = (responses: WireResponse[]) =>
  responses.reduce<Record<string, number>>((counts, response) => {
    const outcome = outcomeOf(response);
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    return counts;
  }, {});

describe.skipIf(!postgresAvailable)('concurrent writes over HTTP [postgres]', () => {
  const api = useApi();
  const sql = useSql(() => api.databaseUrl);
  // three users who may all edit the task: its owner, an `edit` share, a team admin
  const editors: string[] = [];
  let owner: string;
  let teamId: string;
  const rounds = byLength('concurrency: rounds of 50 parallel calls', 3, 10);

  beforeAll(async () => {
    owner = await tokenFor('owner');
    const sharedEditor = await tokenFor('editor');
    const admin = await tokenFor('admin');
    for (const token of [owner, sharedEditor, admin]) await query(api.url, 'me', token);
    teamId = (await mutate<{ id: string }>(api.url, 'teams.create', owner, { name: 'race team' }))
      .id;
    await mutate(api.url, 'teams.addMember', owner, { teamId, userId: 'admin', role: 'admin' });
    editors.push(owner, sharedEditor, admin);
  });

  const newTask = async (title: string) => {
    const task = await mutate<TaskDto>(api.url, 'tasks.create', owner, { title, teamId });
    await mutate(api.url, 'shares.create', owner, {
      taskId: task.id,
      userId: 'editor',
      permission: 'edit',
    });
    return task;
  };

  it(`lets exactly one of ${PARALLEL} parallel updates at one expectedVersion win, for each version`, async () => {
    const task = await newTask('contended');
    for (let version = 1; version <= rounds; version += 1) {
      const titles = Array.from({ length: PARALLEL }, (_, i) => `v${version} by writer ${i}`);
      const responses = await Promise.all(
        titles.map((title, i) =>
          send(api.url, 'tasks.update', {
            kind: 'mutation',
            token: editors[i % editors.length]!,
            input: { id: task.id, title, expectedVersion: version },
          }),
        ),
      );
      expect(tally(responses)).toEqual({ ok: 1, CONFLICT: PARALLEL - 1 });
      const winner = responses.find((response) => response.status === 200)!.data as TaskDto;
      expect(winner.version).toBe(version + 1);
      const [row] = await sql.query<{ title: string; version: number }>(
        'select title, version from tasks where id = $1',
        [task.id],
      );
      expect(row).toEqual({ title: winner.title, version: version + 1 });
      // the losers were told the version they should reload
      for (const response of responses.filter((r) => r.status !== 200)) {
        expect(response.error?.message).toContain(`version ${version + 1}, not ${version}`);
      }
    }
  });

  it('leaves no duplicate share under parallel shares and unshares', async () => {
    const recipients = ['r1', 'r2', 'r3', 'r4', 'r5'];
    for (const id of recipients) await query(api.url, 'me', await tokenFor(id));
    const task = await mutate<TaskDto>(api.url, 'tasks.create', owner, { title: 'shared around' });
    const outcomes: Record<string, number> = {};
    for (let round = 0; round < rounds; round += 1) {
      const responses = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) => {
          const userId = recipients[(i * 7 + round) % recipients.length]!;
          return i % 3 === 2
            ? send(api.url, 'shares.delete', {
                kind: 'mutation',
                token: owner,
                input: { taskId: task.id, userId },
              })
            : send(api.url, 'shares.create', {
                kind: 'mutation',
                token: owner,
                input: { taskId: task.id, userId, permission: i % 2 === 0 ? 'view' : 'edit' },
              });
        }),
      );
      for (const [outcome, n] of Object.entries(tally(responses)))
        outcomes[outcome] = (outcomes[outcome] ?? 0) + n;
      const duplicates = await sql.query(
        `select shared_with_user_id, count(*) from task_shares where task_id = $1
         group by shared_with_user_id having count(*) > 1`,
        [task.id],
      );
      expect(duplicates).toEqual([]);
    }
    // a share is made or changed; an unshare finds the share or says there is none
    expect(Object.keys(outcomes).sort()).toEqual(expect.arrayContaining(['ok']));
    for (const outcome of Object.keys(outcomes)) expect(['ok', 'NOT_FOUND']).toContain(outcome);
    // what the API lists is what the table holds, one row per recipient
    const listed = await query<{ items: { sharedWith: { id: string }; permission: string }[] }>(
      api.url,
      'shares.list',
      owner,
      { taskId: task.id, limit: 100 },
    );
    const rows = await sql.query<{ shared_with_user_id: string; permission: string }>(
      'select shared_with_user_id, permission from task_shares where task_id = $1 order by created_at, id',
      [task.id],
    );
    expect(listed.items.map((item) => [item.sharedWith.id, item.permission])).toEqual(
      rows.map((row) => [row.shared_with_user_id, row.permission]),
    );
    // and the figure over shares, through the cache, is what the table says
    const [shared] = await sql.query<{ n: number }>(
      `select count(distinct s.task_id)::int as n from task_shares s
       join tasks t on t.id = s.task_id where t.user_id = 'owner'`,
    );
    expect(
      (await query<{ sharedByMe: number }>(api.url, 'dashboard.shared', owner)).sharedByMe,
    ).toBe(shared?.n);
  });

  it('keeps completed_at consistent with status under parallel completes and reopens', async () => {
    const tasks = await Promise.all(Array.from({ length: 5 }, (_, i) => newTask(`toggled ${i}`)));
    for (let round = 0; round < rounds; round += 1) {
      const responses = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) =>
          send(api.url, 'tasks.update', {
            kind: 'mutation',
            token: editors[i % editors.length]!,
            input: {
              id: tasks[i % tasks.length]!.id,
              status: (i + round) % 2 === 0 ? 'completed' : 'pending',
            },
          }),
        ),
      );
      // no expectedVersion: every update is applied, one after the other
      expect(tally(responses)).toEqual({ ok: PARALLEL });
      for (const response of responses) {
        const task = response.data as TaskDto;
        expect(task.status === 'completed', JSON.stringify(task)).toBe(task.completedAt !== null);
        if (task.completedAt !== null) expect(task.completedAt <= task.updatedAt).toBe(true);
      }
      const inconsistent = await sql.query(
        `select id, status, completed_at from tasks
         where (status = 'completed') <> (completed_at is not null)`,
      );
      expect(inconsistent).toEqual([]);
    }
    // every update counted once: the version is 1 + the number of updates of the task
    const rows = await sql.query<{ id: string; version: number }>(
      'select id, version from tasks where id = any($1::uuid[])',
      [tasks.map((task) => task.id)],
    );
    for (const row of rows) expect(row.version).toBe(1 + (rounds * PARALLEL) / tasks.length);
  });
});
