import { sql } from 'kysely';
import {
  type ChangeReport,
  queriesOf,
  runRead,
  runWrite,
  type TaskpulseContext,
} from '../context.ts';
import type { TaskpulseDB } from '../db/kysely.ts';
import { parseWith, TaskpulseError } from '../errors/index.ts';
import type { WriteOptions } from '../idempotency/index.ts';
import { afterCursor, cursorTimestamp, type Page, toPage } from '../pagination/index.ts';
import { newId } from '../schema/entities.ts';
import { toIso } from '../schema/inputs.ts';
import type { MessageRole } from '../schema/limits.ts';
import { rethrowMissingCaller } from '../tasks/task-service.ts';
import {
  type AppendMessageInput,
  appendMessageInput,
  type ConversationDto,
  type CreateConversationInput,
  createConversationInput,
  type ListConversationsInput,
  type ListMessagesInput,
  listConversationsInput,
  listMessagesInput,
  type MessageDto,
} from './schemas.ts';

export interface ConversationRow {
  id: string;
  title: string | null;
  created_at: Date;
  updated_at: Date;
  cursor_ts: string;
}
export interface MessageRow {
  id: string;
  conversation_id: string;
  role: MessageRole;
  content: string;
  created_at: Date;
  cursor_ts: string;
}

export const toConversationDto = (row: Omit<ConversationRow, 'cursor_ts'>): ConversationDto => ({
  id: row.id,
  title: row.title,
  createdAt: toIso(row.created_at),
  updatedAt: toIso(row.updated_at),
});
export const toMessageDto = (row: Omit<MessageRow, 'cursor_ts'>): MessageDto => ({
  id: row.id,
  conversationId: row.conversation_id,
  role: row.role,
  content: row.content,
  createdAt: toIso(row.created_at),
});

const conversationNotFound = () =>
  new TaskpulseError('NOT_FOUND', 'No such conversation: it does not exist or is not yours.');

/**
 * `conversations.create`: a new conversation of the caller's.
 *
 * Inside the caller's transaction (`tp.context(caller, { em })`), joins it: see {@link runWrite}.
 * With `options.idempotencyKey`, retry-safe: see {@link WriteOptions}.
 */
export async function createConversation(
  ctx: TaskpulseContext,
  input: CreateConversationInput = {},
  options: WriteOptions = {},
): Promise<ConversationDto> {
  const data = parseWith(createConversationInput, input, 'input');
  const me = ctx.caller.id;
  return runWrite(
    ctx,
    async (em) => {
      const now = ctx.now();
      const row = {
        id: newId(),
        user_id: me,
        title: data.title || null,
        created_at: now,
        updated_at: now,
      };
      await em
        .getKysely<TaskpulseDB>()
        .insertInto('conversations')
        .values(row)
        .execute()
        .catch(rethrowMissingCaller);
      const change: ChangeReport = {
        type: 'conversation.created',
        conversationId: row.id,
        affectedUserIds: [me],
      };
      return { result: toConversationDto(row), change };
    },
    { operation: 'conversations.create', input: data, key: options.idempotencyKey },
  );
}

/** `conversations.list`: the caller's conversations, newest first, keyset-paged. */
export async function listConversations(
  ctx: TaskpulseContext,
  input: ListConversationsInput = {},
): Promise<Page<ConversationDto>> {
  const data = parseWith(listConversationsInput, input, 'input');
  return runRead(async () => {
    const { rows } = await sql<ConversationRow>`select c.id, c.title, c.created_at, c.updated_at,
      ${cursorTimestamp('c.created_at')} as cursor_ts from conversations c
      where c.user_id = ${ctx.caller.id} and ${afterCursor('c', data.cursor, 'desc')}
      order by c.created_at desc, c.id desc limit ${data.limit + 1}`.execute(queriesOf(ctx));
    return toPage(rows, data.limit, toConversationDto);
  });
}

/**
 * `messages.append`: adds a message to one of the caller's conversations.
 *
 * Inside the caller's transaction (`tp.context(caller, { em })`), joins it: see {@link runWrite}.
 * With `options.idempotencyKey`, retry-safe: see {@link WriteOptions}.
 */
export async function appendMessage(
  ctx: TaskpulseContext,
  input: AppendMessageInput,
  options: WriteOptions = {},
): Promise<MessageDto> {
  const data = parseWith(appendMessageInput, input, 'input');
  const me = ctx.caller.id;
  return runWrite(
    ctx,
    async (em) => {
      const db = em.getKysely<TaskpulseDB>();
      // locking the conversation both checks ownership and orders concurrent appends; the
      // new message is never older than the last one, so that oldest-first pages stay stable
      const locked = await db
        .selectFrom('conversations')
        .select('id')
        .where('id', '=', data.conversationId)
        .where('user_id', '=', me)
        .forUpdate()
        .executeTakeFirst();
      if (!locked) throw conversationNotFound();
      const { rows } = await sql<Omit<MessageRow, 'cursor_ts'>>`
      insert into messages (id, conversation_id, user_id, role, content, created_at)
      values (${newId()}, ${data.conversationId}, ${me}, ${data.role}, ${data.content},
        greatest(${ctx.now()}::timestamptz,
          (select max(m.created_at) from messages m where m.conversation_id = ${data.conversationId})))
      returning id, conversation_id, role, content, created_at`.execute(db);
      const row = rows[0]!;
      await db
        .updateTable('conversations')
        .set({ updated_at: sql`greatest(updated_at, ${row.created_at}::timestamptz)` })
        .where('id', '=', data.conversationId)
        .execute();
      const change: ChangeReport = {
        type: 'message.appended',
        conversationId: data.conversationId,
        affectedUserIds: [me],
      };
      return { result: toMessageDto(row), change };
    },
    { operation: 'messages.append', input: data, key: options.idempotencyKey },
  );
}

/** `messages.list`: a conversation's messages, oldest first (created_at, then id), keyset-paged. */
export async function listMessages(
  ctx: TaskpulseContext,
  input: ListMessagesInput,
): Promise<Page<MessageDto>> {
  const data = parseWith(listMessagesInput, input, 'input');
  return runRead(async () => {
    const db = queriesOf(ctx);
    const owned = await db
      .selectFrom('conversations')
      .select('id')
      .where('id', '=', data.conversationId)
      .where('user_id', '=', ctx.caller.id)
      .executeTakeFirst();
    if (!owned) throw conversationNotFound();
    const { rows } =
      await sql<MessageRow>`select m.id, m.conversation_id, m.role, m.content, m.created_at,
      ${cursorTimestamp('m.created_at')} as cursor_ts from messages m
      where m.conversation_id = ${data.conversationId} and ${afterCursor('m', data.cursor, 'asc')}
      order by m.created_at, m.id limit ${data.limit + 1}`.execute(db);
    return toPage(rows, data.limit, toMessageDto);
  });
}
