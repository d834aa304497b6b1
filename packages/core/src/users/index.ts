export { type UserClaims, type UserDto, userClaimsSchema, userSchema } from './schemas.ts';
export { getMe, provisionUser } from './user-service.ts';
