import { z } from 'zod';
import { pageFields } from '../pagination/index.ts';
import { isoSchema } from '../schema/inputs.ts';
import { LIMITS, SHARE_PERMISSIONS } from '../schema/limits.ts';
import { text, uuidId } from '../schema/text.ts';
import { exactlyOneUser, userRefFields } from '../users/user-ref.ts';

/** Input of `shares.create`: share a task (or change the permission of an existing share). */
export const createShareInput = z
  .object({
    taskId: uuidId.describe("The task's id."),
    ...userRefFields,
    permission: z
      .enum(SHARE_PERMISSIONS)
      .describe('view: they see the task; edit: they may also change it.'),
  })
  .strict()
  .superRefine(exactlyOneUser);
export type CreateShareInput = z.input<typeof createShareInput>;

/** Input of `shares.delete`: stop sharing a task with a user. */
export const deleteShareInput = z
  .object({
    taskId: uuidId.describe("The task's id."),
    userId: text(LIMITS.userId.min, LIMITS.userId.max).describe(
      'The id of the user to stop sharing with.',
    ),
  })
  .strict();
export type DeleteShareInput = z.input<typeof deleteShareInput>;

/** What `shares.delete` answers: the task and the user it is no longer shared with. */
export const deletedShareSchema = z.object({ taskId: z.string(), userId: z.string() });
export type DeletedShare = z.infer<typeof deletedShareSchema>;

/** Input of `shares.list`: the shares of one task, oldest first. */
export const listSharesInput = z
  .object({ taskId: uuidId.describe("The task's id."), ...pageFields() })
  .strict();
export type ListSharesInput = z.input<typeof listSharesInput>;

/** A share, as the procedures return it. */
export const shareSchema = z.object({
  id: z.string(),
  taskId: z.string(),
  permission: z.enum(SHARE_PERMISSIONS),
  sharedByUserId: z.string(),
  sharedWith: z.object({
    id: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
  }),
  createdAt: isoSchema,
});
export type ShareDto = z.infer<typeof shareSchema>;
