export {
  type AddMemberInput,
  addMemberInput,
  type CreateTeamInput,
  createTeamInput,
  type ListTeamsInput,
  listTeamsInput,
  type RemovedMember,
  type RemoveMemberInput,
  removedMemberSchema,
  removeMemberInput,
  type TeamDto,
  type TeamMemberDto,
  teamMemberSchema,
  teamSchema,
} from './schemas.ts';
export { addMember, createTeam, listTeams, removeMember } from './team-service.ts';
