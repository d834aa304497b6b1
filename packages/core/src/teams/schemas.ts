import { z } from 'zod';
import { pageFields } from '../pagination/index.ts';
import { isoSchema } from '../schema/inputs.ts';
import { LIMITS, TEAM_ROLES } from '../schema/limits.ts';
import { text, uuidId } from '../schema/text.ts';
import { exactlyOneUser, userRefFields } from '../users/user-ref.ts';

/** A team, with the caller's role in it. */
export const teamSchema = z.object({
  id: z.string(),
  name: z.string(),
  ownerId: z.string(),
  createdAt: isoSchema,
  /** The caller's role. */
  role: z.enum(TEAM_ROLES),
  memberCount: z.number().int(),
});
export type TeamDto = z.infer<typeof teamSchema>;

/** A member of a team. */
export const teamMemberSchema = z.object({
  teamId: z.string(),
  userId: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  role: z.enum(TEAM_ROLES),
  createdAt: isoSchema,
});
export type TeamMemberDto = z.infer<typeof teamMemberSchema>;

/** Input of `teams.create`: the caller becomes its `owner` member. */
export const createTeamInput = z
  .object({ name: text(LIMITS.teamName.min, LIMITS.teamName.max).describe("The team's name.") })
  .strict();
export type CreateTeamInput = z.input<typeof createTeamInput>;

/** Input of `teams.list`: the caller's teams, newest first. */
export const listTeamsInput = z.object(pageFields()).strict();
export type ListTeamsInput = z.input<typeof listTeamsInput>;

/**
 * Input of `teams.addMember`: add a user (by id or email) with a role, or change the role of
 * a member. Owners and admins add members; only owners grant or take away `owner`.
 */
export const addMemberInput = z
  .object({
    teamId: uuidId.describe("The team's id."),
    ...userRefFields,
    /** @default 'member' */
    role: z
      .enum(TEAM_ROLES)
      .default('member')
      .describe('owner and admin manage members (only owners grant owner); member sees the tasks.'),
  })
  .strict()
  .superRefine(exactlyOneUser);
export type AddMemberInput = z.input<typeof addMemberInput>;

/** Input of `teams.removeMember`: owners and admins remove members; anyone may leave. */
export const removeMemberInput = z
  .object({
    teamId: uuidId.describe("The team's id."),
    userId: text(LIMITS.userId.min, LIMITS.userId.max).describe('The id of the member to remove.'),
  })
  .strict();
export type RemoveMemberInput = z.input<typeof removeMemberInput>;

/** What `teams.removeMember` answers: the team and the user no longer in it. */
export const removedMemberSchema = z.object({ teamId: z.string(), userId: z.string() });
export type RemovedMember = z.infer<typeof removedMemberSchema>;
