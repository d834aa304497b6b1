/**
 * A stranger cannot read, list, count or even tell apart "does not exist" from "not yours"
 * for anything of another user: every id-taking function fails identically for another
 * user's id and for an id that never existed, and every list leaves them out.
 */
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { as, createUsers } from '../../test/fixtures.ts';
import {
  appendMessage,
  createConversation,
  listConversations,
  listMessages,
} from '../chat/index.ts';
import { newId } from '../schema/entities.ts';
import { createShare, deleteShare, listShares } from '../sharing/index.ts';
import { createTask, deleteTask, getTask, listTasks, updateTask } from '../tasks/index.ts';
import { addMember, createTeam, listTeams, removeMember } from '../teams/index.ts';

describeDatabases('isolation', (db) => {
  const ids = { task: '', team: '', conversation: '' };
  beforeAll(async () => {
    await createUsers(db.tp, ['victim', 'friend', 'stranger']);
    const victim = as(db.tp, 'victim');
    const team = await createTeam(victim, { name: 'private team' });
    const task = await createTask(victim, {
      title: 'private task',
      description: 'secret',
      teamId: team.id,
    });
    await createShare(victim, { taskId: task.id, userId: 'friend', permission: 'edit' });
    await addMember(victim, { teamId: team.id, userId: 'friend' });
    const conversation = await createConversation(victim, { title: 'private chat' });
    await appendMessage(victim, {
      conversationId: conversation.id,
      role: 'user',
      content: 'secret',
    });
    Object.assign(ids, { task: task.id, team: team.id, conversation: conversation.id });
  });

  const probes: [
    string,
    (id: { task: string; team: string; conversation: string }) => Promise<unknown>,
  ][] = [
    ['tasks.get', (id) => getTask(as(db.tp, 'stranger'), { id: id.task })],
    ['tasks.update', (id) => updateTask(as(db.tp, 'stranger'), { id: id.task, title: 'mine now' })],
    ['tasks.delete', (id) => deleteTask(as(db.tp, 'stranger'), { id: id.task })],
    [
      'shares.create',
      (id) =>
        createShare(as(db.tp, 'stranger'), {
          taskId: id.task,
          userId: 'stranger',
          permission: 'edit',
        }),
    ],
    [
      'shares.delete',
      (id) => deleteShare(as(db.tp, 'stranger'), { taskId: id.task, userId: 'friend' }),
    ],
    ['shares.list', (id) => listShares(as(db.tp, 'stranger'), { taskId: id.task })],
    [
      'tasks.create in the team',
      (id) => createTask(as(db.tp, 'stranger'), { title: 'x', teamId: id.team }),
    ],
    [
      'teams.addMember',
      (id) => addMember(as(db.tp, 'stranger'), { teamId: id.team, userId: 'stranger' }),
    ],
    [
      'teams.removeMember',
      (id) => removeMember(as(db.tp, 'stranger'), { teamId: id.team, userId: 'friend' }),
    ],
    [
      'messages.list',
      (id) => listMessages(as(db.tp, 'stranger'), { conversationId: id.conversation }),
    ],
    [
      'messages.append',
      (id) =>
        appendMessage(as(db.tp, 'stranger'), {
          conversationId: id.conversation,
          role: 'user',
          content: 'x',
        }),
    ],
  ];

  it.each(probes)(
    '%s fails the same way for another user’s id as for an id that never existed',
    async (_, probe) => {
      const failure = async (id: typeof ids) => {
        const error = await probe(id).then(
          () => null,
          (caught: unknown) => caught as { code: string; message: string; issues: unknown[] },
        );
        return error && { code: error.code, message: error.message, issues: error.issues };
      };
      const real = await failure(ids);
      const missing = await failure({ task: newId(), team: newId(), conversation: newId() });
      expect(real).not.toBeNull();
      expect(real?.code).toBe('NOT_FOUND');
      expect(real).toEqual(missing);
      expect(JSON.stringify(real)).not.toContain('secret');
      expect(JSON.stringify(real)).not.toContain('private');
    },
  );

  it('lists nothing of theirs', async () => {
    const stranger = as(db.tp, 'stranger');
    for (const scope of ['owned', 'shared', 'team', 'all'] as const) {
      expect((await listTasks(stranger, { scope })).items).toEqual([]);
    }
    expect((await listTeams(stranger)).items).toEqual([]);
    expect((await listConversations(stranger)).items).toEqual([]);
  });

  it('changed nothing by trying', async () => {
    const rows = await db.tp.fork().execute('select title, version from tasks');
    expect(rows).toEqual([{ title: 'private task', version: 1 }]);
    const members = await db.tp.fork().execute('select user_id from team_members order by user_id');
    expect(members).toEqual([{ user_id: 'friend' }, { user_id: 'victim' }]);
  });
});
