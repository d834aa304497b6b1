export { accessOf, editableBy, inTeamOf, ownedBy, sharedWith, visibleTo } from './task-access.ts';
