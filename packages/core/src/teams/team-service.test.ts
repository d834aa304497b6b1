import { beforeEach, expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { actor, as, createUsers, outcome } from '../../test/fixtures.ts';
import { createTask, getTask, listTasks } from '../tasks/index.ts';
import { addMember, createTeam, listTeams, removeMember } from './team-service.ts';

describeDatabases('teams', (db) => {
  beforeEach(async () => {
    await db.tp.fork().execute('truncate users, tasks, teams, team_members cascade');
    await createUsers(db.tp, ['alice', 'bob', 'carol', 'dave']);
  });

  const members = async (teamId: string) =>
    db.tp
      .fork()
      .execute('select user_id, role from team_members where team_id = ? order by user_id', [
        teamId,
      ]);

  it('makes the creator its owner member, and lists teams with the caller role and member count', async () => {
    const team = await createTeam(as(db.tp, 'alice'), { name: 'Launch crew' });
    expect(team).toMatchObject({
      name: 'Launch crew',
      ownerId: 'alice',
      role: 'owner',
      memberCount: 1,
    });
    expect(await members(team.id)).toEqual([{ user_id: 'alice', role: 'owner' }]);
    await addMember(as(db.tp, 'alice'), { teamId: team.id, userId: 'bob', role: 'admin' });
    const bobs = await listTeams(as(db.tp, 'bob'));
    expect(bobs.items).toEqual([{ ...team, role: 'admin', memberCount: 2 }]);
    expect((await listTeams(as(db.tp, 'carol'))).items).toEqual([]);
  });

  it('regression (issue 20, unverified email claims): adding a member by email finds only a verified address', async () => {
    await db.tp
      .fork()
      .execute(
        "insert into users (id, email, email_verified) values ('mallory', 'erin@example.com', false)",
      );
    const team = await createTeam(as(db.tp, 'alice'), { name: 'Closed' });
    expect(
      await outcome(() =>
        addMember(as(db.tp, 'alice'), { teamId: team.id, email: 'erin@example.com' }),
      ),
    ).toBe('NOT_FOUND');
    expect(await members(team.id)).toEqual([{ user_id: 'alice', role: 'owner' }]);
  });

  it('refuses a bad name', async () => {
    expect(await outcome(() => createTeam(as(db.tp, 'alice'), { name: '' }))).toBe('VALIDATION');
    expect(await outcome(() => createTeam(as(db.tp, 'alice'), { name: 'n'.repeat(101) }))).toBe(
      'VALIDATION',
    );
  });

  it('gives members sight of team tasks and owners/admins the right to edit them', async () => {
    const team = await createTeam(as(db.tp, 'alice'), { name: 'T' });
    await addMember(as(db.tp, 'alice'), { teamId: team.id, userId: 'bob', role: 'admin' });
    await addMember(as(db.tp, 'bob'), { teamId: team.id, email: 'carol@example.com' });
    const task = await createTask(as(db.tp, 'carol'), { title: 'team task', teamId: team.id });
    expect((await getTask(as(db.tp, 'alice'), { id: task.id })).access).toBe('edit');
    expect((await getTask(as(db.tp, 'bob'), { id: task.id })).access).toBe('edit');
    await removeMember(as(db.tp, 'bob'), { teamId: team.id, userId: 'carol' });
    // carol keeps her task, still filed under the team; the team still sees it
    expect((await getTask(as(db.tp, 'carol'), { id: task.id })).teamId).toBe(team.id);
    expect((await listTasks(as(db.tp, 'alice'), { scope: 'team' })).items.map((t) => t.id)).toEqual(
      [task.id],
    );
  });

  it('keeps an owner: the last owner can neither leave nor be demoted; admins cannot touch owners', async () => {
    const team = await createTeam(as(db.tp, 'alice'), { name: 'T' });
    await addMember(as(db.tp, 'alice'), { teamId: team.id, userId: 'bob', role: 'admin' });
    expect(
      await outcome(() => removeMember(as(db.tp, 'alice'), { teamId: team.id, userId: 'alice' })),
    ).toBe('CONFLICT');
    expect(
      await outcome(() =>
        addMember(as(db.tp, 'alice'), { teamId: team.id, userId: 'alice', role: 'admin' }),
      ),
    ).toBe('CONFLICT');
    expect(
      await outcome(() => removeMember(as(db.tp, 'bob'), { teamId: team.id, userId: 'alice' })),
    ).toBe('FORBIDDEN');
    expect(
      await outcome(() =>
        addMember(as(db.tp, 'bob'), { teamId: team.id, userId: 'dave', role: 'owner' }),
      ),
    ).toBe('FORBIDDEN');
    expect(await members(team.id)).toEqual([
      { user_id: 'alice', role: 'owner' },
      { user_id: 'bob', role: 'admin' },
    ]);
    // with a second owner, the creator may leave, and the team's owner_id follows
    await addMember(as(db.tp, 'alice'), { teamId: team.id, userId: 'bob', role: 'owner' });
    await removeMember(as(db.tp, 'alice'), { teamId: team.id, userId: 'alice' });
    expect(
      await db.tp.fork().execute('select owner_id from teams where id = ?', [team.id]),
    ).toEqual([{ owner_id: 'bob' }]);
  });

  it('lets a member leave, and refuses unknown users and non-members', async () => {
    const team = await createTeam(as(db.tp, 'alice'), { name: 'T' });
    await addMember(as(db.tp, 'alice'), { teamId: team.id, userId: 'carol' });
    const carol = actor(db.tp, 'carol');
    await removeMember(carol.ctx, { teamId: team.id, userId: 'carol' });
    expect(carol.events.map((e) => [e.type, e.affectedUserIds])).toEqual([
      ['team.member_removed', ['alice', 'carol']],
    ]);
    expect(
      await outcome(() => addMember(as(db.tp, 'alice'), { teamId: team.id, userId: 'nobody' })),
    ).toBe('NOT_FOUND');
    expect(
      await outcome(() => removeMember(as(db.tp, 'alice'), { teamId: team.id, userId: 'dave' })),
    ).toBe('NOT_FOUND');
  });

  it('publishes team events to every member', async () => {
    const alice = actor(db.tp, 'alice');
    const team = await createTeam(alice.ctx, { name: 'T' });
    await addMember(alice.ctx, { teamId: team.id, userId: 'bob' });
    await addMember(alice.ctx, { teamId: team.id, userId: 'bob' }); // no change: no event
    await addMember(alice.ctx, { teamId: team.id, userId: 'bob', role: 'admin' });
    expect(alice.events.map((e) => [e.type, e.affectedUserIds])).toEqual([
      ['team.created', ['alice']],
      ['team.member_added', ['alice', 'bob']],
      ['team.member_updated', ['alice', 'bob']],
    ]);
  });
});
