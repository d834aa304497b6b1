export {
  appendMessage,
  createConversation,
  listConversations,
  listMessages,
} from './chat-service.ts';
export {
  type AppendMessageInput,
  appendMessageInput,
  type ConversationDto,
  type CreateConversationInput,
  conversationSchema,
  createConversationInput,
  type ListConversationsInput,
  type ListMessagesInput,
  listConversationsInput,
  listMessagesInput,
  type MessageDto,
  messageSchema,
} from './schemas.ts';
