import {
  addMember,
  addMemberInput,
  listTeams,
  listTeamsInput,
  pageSchema,
  removedMemberSchema,
  removeMember,
  removeMemberInput,
  teamMemberSchema,
  teamSchema,
} from '@taskpulse/core';
import { count, listed, nextPageHint, teamLine } from './summaries.ts';
import { defineTool, READ_ONLY, withIdempotencyKey, writes } from './tool.ts';

export const findTeams = defineTool({
  name: 'find-teams',
  title: 'Find teams',
  description:
    "Lists the teams the user belongs to, newest first, with the user's role and the member count. Team ids go to add-tasks (teamId), find-tasks (teamId, or scope team) and the member tools. When nextCursor is not null, call again with that cursor for the next page.",
  input: listTeamsInput,
  output: pageSchema(teamSchema),
  annotations: READ_ONLY,
  run: async ({ context }, input) => {
    const page = await listTeams(context, input);
    const summary = [
      page.items.length === 0
        ? 'The user belongs to no team.'
        : `${count(page.items.length, 'team')}:`,
      ...listed(page.items, teamLine),
      nextPageHint('find-teams', page.nextCursor),
    ].join('\n');
    return { data: page, summary };
  },
});

export const addTeamMember = defineTool({
  name: 'add-team-member',
  title: 'Add a team member',
  description:
    'Adds a user (by userId or email, exactly one) to a team with a role (member by default; admin; owner), or changes the role of a member. Team owners and admins add members; only owners grant or take away owner. The user must have signed in once.',
  input: withIdempotencyKey(addMemberInput),
  output: teamMemberSchema,
  annotations: writes({ destructive: false, idempotent: true }),
  run: async ({ context }, { idempotencyKey, ...input }) => {
    const member = await addMember(context, input, { idempotencyKey });
    const who = member.name ?? member.email ?? member.userId;
    return {
      data: member,
      summary: `${who} (user id ${member.userId}) is ${member.role} of team ${member.teamId}.`,
    };
  },
});

export const removeTeamMember = defineTool({
  name: 'remove-team-member',
  title: 'Remove a team member',
  description:
    "Removes a member from a team: they stop seeing the team's tasks. Team owners and admins remove members; anyone may remove themselves (leave). A team keeps at least one owner.",
  input: withIdempotencyKey(removeMemberInput),
  output: removedMemberSchema,
  annotations: writes({ destructive: true, idempotent: false }),
  run: async ({ context }, { idempotencyKey, ...input }) => {
    const removed = await removeMember(context, input, { idempotencyKey });
    return {
      data: removed,
      summary: `${removed.userId} is no longer a member of team ${removed.teamId}.`,
    };
  },
});
