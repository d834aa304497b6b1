import { z } from 'zod';
import { conversationSchema, messageSchema } from '../chat/schemas.ts';
import { shareSchema } from '../sharing/schemas.ts';
import { taskSchema } from '../tasks/schemas.ts';
import { teamMemberSchema, teamSchema } from '../teams/schemas.ts';
import { userSchema } from '../users/schemas.ts';

/** The `type` of each record of a data export, in the order the export writes them. */
export const EXPORT_RECORD_TYPES = [
  'user',
  'task',
  'share',
  'team',
  'membership',
  'conversation',
  'message',
] as const;
/** One of {@link EXPORT_RECORD_TYPES}. */
export type ExportRecordType = (typeof EXPORT_RECORD_TYPES)[number];

/**
 * One record of a user's data export (one line of `GET /me/export`): a `type`, and the fields
 * of what the API returns for that kind of object (the same schema).
 *
 * - `user`: the user (first, once);
 * - `task`: every task the user owns;
 * - `share`: every share of the user's tasks (`direction: 'given'`: who it is shared with), then
 *   every share of someone else's task with the user (`direction: 'received'`; the task stays
 *   its owner's and is not in the export, `taskId` names it);
 * - `team`: every team the user owns; `membership`: every team membership of the user's;
 * - `conversation`: every conversation of the user's, each followed by its `message`s, oldest first.
 */
export const exportRecordSchema = z.discriminatedUnion('type', [
  userSchema.extend({ type: z.literal('user') }),
  taskSchema.extend({ type: z.literal('task') }),
  shareSchema.extend({ type: z.literal('share'), direction: z.enum(['given', 'received']) }),
  teamSchema.extend({ type: z.literal('team') }),
  teamMemberSchema.extend({ type: z.literal('membership') }),
  conversationSchema.extend({ type: z.literal('conversation') }),
  messageSchema.extend({ type: z.literal('message') }),
]);
/** One record of a user's data export. */
export type ExportRecord = z.infer<typeof exportRecordSchema>;

/** Options of {@link exportUserData}. */
export const exportUserDataOptionsSchema = z
  .object({
    /** Rows read per query (a keyset page): the memory the export holds at once. @default 1000 */
    pageSize: z.number().int().min(1).max(10_000).default(1_000),
  })
  .strict();
/** Options of `exportUserData`, as the caller writes them. */
export type ExportUserDataOptions = z.input<typeof exportUserDataOptionsSchema>;

/** Input of `me.delete`: `confirm` must be `true`, so that nobody deletes an account by accident. */
export const deleteAccountInput = z
  .object({
    confirm: z
      .literal(true, { error: 'must be true: deleting an account cannot be undone' })
      .describe('Must be true: the account and everything of it are deleted for good.'),
  })
  .strict();
/** Input of `me.delete`. */
export type DeleteAccountInput = z.input<typeof deleteAccountInput>;

/** What `me.delete` deleted: the user's id, and how many rows of each kind went with them. */
export const deletedAccountSchema = z.object({
  userId: z.string(),
  /** Tasks the user owned. */
  tasks: z.number().int(),
  /** Shares of the user's tasks, and of other people's tasks with the user. */
  shares: z.number().int(),
  /** Teams the user owned (their members' tasks stay with their owners, out of the team). */
  teams: z.number().int(),
  /** Team memberships: the user's own, and those of the teams the user owned. */
  memberships: z.number().int(),
  conversations: z.number().int(),
  messages: z.number().int(),
});
/** What `me.delete` deleted. */
export type DeletedAccount = z.infer<typeof deletedAccountSchema>;
