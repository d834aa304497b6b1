import { beforeEach, expect, it } from 'vitest';
import { describeDatabases } from '../../test/databases.ts';
import { actor, as, createUsers, outcome } from '../../test/fixtures.ts';
import {
  appendMessage,
  createConversation,
  listConversations,
  listMessages,
} from './chat-service.ts';

describeDatabases('chat', (db) => {
  beforeEach(async () => {
    await db.tp.fork().execute('truncate users, conversations, messages cascade');
    await createUsers(db.tp, ['alice', 'bob']);
  });

  it('keeps messages in order (created_at, then id) and pages them oldest first', async () => {
    const at = new Date('2026-11-22T10:00:00Z');
    const alice = actor(db.tp, 'alice', () => at); // every message at the same instant
    const conversation = await createConversation(alice.ctx, { title: 'Plan my week' });
    const sent = [];
    for (const [i, role] of (['system', 'user', 'assistant', 'tool', 'user'] as const).entries()) {
      sent.push(
        await appendMessage(alice.ctx, {
          conversationId: conversation.id,
          role,
          content: `message ${i}`,
        }),
      );
    }
    const read = [];
    let cursor: string | undefined;
    do {
      const page = await listMessages(alice.ctx, {
        conversationId: conversation.id,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      read.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(read).toEqual(sent);
    expect(alice.events.map((e) => e.type)).toEqual([
      'conversation.created',
      ...sent.map(() => 'message.appended'),
    ]);
  });

  it('never dates a message before the last one of its conversation', async () => {
    let clock = new Date('2026-11-22T10:00:00Z');
    const ctx = as(db.tp, 'alice', () => clock);
    const conversation = await createConversation(ctx, {});
    const first = await appendMessage(ctx, {
      conversationId: conversation.id,
      role: 'user',
      content: 'first',
    });
    clock = new Date('2026-11-22T09:00:00Z'); // a clock that went back
    const second = await appendMessage(ctx, {
      conversationId: conversation.id,
      role: 'assistant',
      content: 'second',
    });
    expect(second.createdAt).toBe(first.createdAt);
    expect(
      (await listMessages(ctx, { conversationId: conversation.id })).items.map((m) => m.content),
    ).toEqual(['first', 'second']);
  });

  it('shows conversations and messages to their owner only', async () => {
    const conversation = await createConversation(as(db.tp, 'alice'), { title: 'private' });
    await appendMessage(as(db.tp, 'alice'), {
      conversationId: conversation.id,
      role: 'user',
      content: 'secret',
    });
    expect((await listConversations(as(db.tp, 'bob'))).items).toEqual([]);
    expect(
      await outcome(() => listMessages(as(db.tp, 'bob'), { conversationId: conversation.id })),
    ).toBe('NOT_FOUND');
    expect(
      await outcome(() =>
        appendMessage(as(db.tp, 'bob'), {
          conversationId: conversation.id,
          role: 'user',
          content: 'x',
        }),
      ),
    ).toBe('NOT_FOUND');
    expect((await listConversations(as(db.tp, 'alice'))).items.map((c) => c.title)).toEqual([
      'private',
    ]);
  });

  it('refuses empty, oversized and NUL-bearing content, and an unknown role', async () => {
    const conversation = await createConversation(as(db.tp, 'alice'), {});
    const append = (content: string, role = 'user') =>
      outcome(() =>
        appendMessage(as(db.tp, 'alice'), {
          conversationId: conversation.id,
          role: role as 'user',
          content,
        }),
      );
    expect(await append('')).toBe('VALIDATION');
    expect(await append('x'.repeat(100_001))).toBe('VALIDATION');
    expect(await append('a\u0000b')).toBe('VALIDATION');
    expect(await append('hi', 'robot')).toBe('VALIDATION');
    expect(await append('x'.repeat(100_000))).toBe('ok');
  });
});
