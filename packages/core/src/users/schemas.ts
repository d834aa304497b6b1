import { z } from 'zod';
import { LIMITS } from '../schema/limits.ts';
import { text } from '../schema/text.ts';

/**
 * The identity claims a user is provisioned from (a verified token's `sub`, `email`,
 * `email_verified`, `name`).
 */
export const userClaimsSchema = z
  .object({
    id: text(LIMITS.userId.min, LIMITS.userId.max),
    email: z
      .email()
      .max(LIMITS.userEmail.max)
      .nullish()
      .transform((value) => value ?? null),
    /**
     * Whether the identity provider verified `email` (the token's `email_verified: true`). An
     * email is stored, and found by share-by-email, only when it is. @default false
     */
    emailVerified: z
      .boolean()
      .nullish()
      .transform((value) => value === true),
    name: text(0, LIMITS.userName.max)
      .nullish()
      .transform((value) => (value ? value : null)),
  })
  .strict();

/** Claims of {@link provisionUser}, as the caller writes them. */
export type UserClaims = z.input<typeof userClaimsSchema>;

/** A user, as every procedure returns one. */
export const userSchema = z.object({
  id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  createdAt: z.iso.datetime(),
});

/** A user, as every procedure returns one. */
export type UserDto = z.infer<typeof userSchema>;
