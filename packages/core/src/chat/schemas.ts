import { z } from 'zod';
import { pageFields } from '../pagination/index.ts';
import { isoSchema } from '../schema/inputs.ts';
import { LIMITS, MESSAGE_ROLES } from '../schema/limits.ts';
import { text, uuidId } from '../schema/text.ts';

/** A conversation, as the procedures return it. */
export const conversationSchema = z.object({
  id: z.string(),
  title: z.string().nullable(),
  createdAt: isoSchema,
  updatedAt: isoSchema,
});
export type ConversationDto = z.infer<typeof conversationSchema>;

/** A message, as the procedures return it. */
export const messageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  role: z.enum(MESSAGE_ROLES),
  content: z.string(),
  createdAt: isoSchema,
});
export type MessageDto = z.infer<typeof messageSchema>;

/** Input of `conversations.create`. */
export const createConversationInput = z
  .object({ title: text(0, LIMITS.conversationTitle.max).nullable().optional() })
  .strict();
export type CreateConversationInput = z.input<typeof createConversationInput>;

/** Input of `conversations.list`: the caller's conversations, newest first. */
export const listConversationsInput = z.object(pageFields()).strict();
export type ListConversationsInput = z.input<typeof listConversationsInput>;

/** Input of `messages.append`. */
export const appendMessageInput = z
  .object({
    conversationId: uuidId,
    role: z.enum(MESSAGE_ROLES),
    content: text(LIMITS.messageContent.min, LIMITS.messageContent.max),
  })
  .strict();
export type AppendMessageInput = z.input<typeof appendMessageInput>;

/** Input of `messages.list`: a conversation's messages in order (created_at, then id). */
export const listMessagesInput = z.object({ conversationId: uuidId, ...pageFields() }).strict();
export type ListMessagesInput = z.input<typeof listMessagesInput>;
