import {
  addMember,
  addMemberInput,
  createTeam,
  createTeamInput,
  listTeams,
  listTeamsInput,
  removeMember,
  removeMemberInput,
} from '@taskpulse/core';
import type { TaskpulseBuilders } from './builders.ts';

/** `teams.*`: the caller's teams; owners and admins manage members. */
export const teamsProcedures = (b: TaskpulseBuilders) => ({
  teams: b.router({
    create: b.authed
      .input(createTeamInput)
      .mutation(({ ctx, input }) =>
        createTeam(ctx.taskpulse, input, { idempotencyKey: ctx.idempotencyKey }),
      ),
    list: b.authed
      .input(listTeamsInput.optional())
      .query(({ ctx, input }) => listTeams(ctx.taskpulse, input)),
    addMember: b.authed
      .input(addMemberInput)
      .mutation(({ ctx, input }) =>
        addMember(ctx.taskpulse, input, { idempotencyKey: ctx.idempotencyKey }),
      ),
    removeMember: b.authed
      .input(removeMemberInput)
      .mutation(({ ctx, input }) =>
        removeMember(ctx.taskpulse, input, { idempotencyKey: ctx.idempotencyKey }),
      ),
  }),
});
