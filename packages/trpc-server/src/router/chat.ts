import {
  appendMessage,
  appendMessageInput,
  createConversation,
  createConversationInput,
  listConversations,
  listConversationsInput,
  listMessages,
  listMessagesInput,
} from '@taskpulse/core';
import type { TaskpulseBuilders } from './builders.ts';

/** `conversations.*` and `messages.*`: the caller's AI-chat history, visible to them only. */
export const chatProcedures = (b: TaskpulseBuilders) => ({
  conversations: b.router({
    create: b.authed
      .input(createConversationInput)
      .mutation(({ ctx, input }) =>
        createConversation(ctx.taskpulse, input, { idempotencyKey: ctx.idempotencyKey }),
      ),
    list: b.authed
      .input(listConversationsInput.optional())
      .query(({ ctx, input }) => listConversations(ctx.taskpulse, input)),
  }),
  messages: b.router({
    append: b.authed
      .input(appendMessageInput)
      .mutation(({ ctx, input }) =>
        appendMessage(ctx.taskpulse, input, { idempotencyKey: ctx.idempotencyKey }),
      ),
    list: b.authed
      .input(listMessagesInput)
      .query(({ ctx, input }) => listMessages(ctx.taskpulse, input)),
  }),
});
