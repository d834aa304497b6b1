/**
 * Injection and round trips: SQL and HTML injection strings, emoji, combining marks, 4-byte
 * characters, long right-to-left text and the other corners of Unicode, in every text field
 * (task title and description, team name, conversation title, message content, and the
 * user's id, name and email claims), are stored verbatim and returned byte for byte — by the
 * API that wrote them, by the API reading them again, and by plain SQL reading the row.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, tokenFor, useApi } from '../harness/api.ts';
import { useSql } from '../harness/database.ts';
import { byLength } from '../harness/env.ts';
import { charLength, ODD_TEXTS, ofLength } from '../harness/hostile.ts';
import { mutate, query, send } from '../harness/wire.ts';

/** Long texts at a field's limit, in the scripts and planes that trip up byte counting. */
const atLimit = (max: number): string[] => [
  ofLength(max, ['ש', 'ל', 'ו', 'ם', ' ', 'م', 'ر', 'ح', 'ب', 'ا']),
  ofLength(max, ['😀', '𠜎', '𝕏']),
  ofLength(max, ['e', '\u0301']),
  ofLength(max, ['\u202E', 'a', '\u200B', '\u202C']),
];

/** Odd texts that fit in `min`–`max` code points. */
const samples = (min: number, max: number) =>
  [...ODD_TEXTS, ...atLimit(max)].filter(
    (text) => charLength(text) >= min && charLength(text) <= max,
  );

/** Any well-formed text without NUL, in `min`–`max` code points. */
const anyText = (min: number, max: number) =>
  fc
    .oneof(
      fc.string({ unit: 'binary', minLength: min, maxLength: Math.min(max, 120) }),
      fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 40) }),
    )
    .filter(
      (text) =>
        text.isWellFormed() &&
        !text.includes('\u0000') &&
        charLength(text) >= min &&
        charLength(text) <= max,
    );

describe.skipIf(!postgresAvailable)('injection strings and Unicode round trips [postgres]', () => {
  const api = useApi();
  const sql = useSql(() => api.databaseUrl);
  let token: string;
  let roundTrips = 0;
  const runs = byLength('round trips: generated strings per field', 25, 120);

  beforeAll(async () => {
    token = await tokenFor('writer');
    await query(api.url, 'me', token);
  });

  /** Asserts that the column holds exactly `expected`, counted in characters and in bytes. */
  async function expectStored(table: string, column: string, id: string, expected: string) {
    const [row] = await sql.query<{ value: string; chars: number; bytes: number }>(
      `select ${column} as value, char_length(${column}) as chars, octet_length(${column}) as bytes
       from ${table} where id = $1`,
      [id],
    );
    expect(row, `${table}.${column} of ${id}`).toBeDefined();
    expect(
      row!.value === expected,
      `${table}.${column}: ${JSON.stringify(row!.value)} ≠ ${JSON.stringify(expected)}`,
    ).toBe(true);
    expect(row!.chars).toBe(charLength(expected));
    expect(row!.bytes).toBe(Buffer.byteLength(expected, 'utf8'));
    roundTrips += 1;
  }

  const same = (got: unknown, expected: string) =>
    expect(got === expected, `${JSON.stringify(got)} ≠ ${JSON.stringify(expected)}`).toBe(true);

  async function taskRoundTrip(title: string, description: string) {
    const created = await mutate<{ id: string; title: string; description: string }>(
      api.url,
      'tasks.create',
      token,
      { title, description },
    );
    same(created.title, title);
    same(created.description, description);
    const read = await query<{ title: string; description: string }>(api.url, 'tasks.get', token, {
      id: created.id,
    });
    same(read.title, title);
    same(read.description, description);
    await expectStored('tasks', 'title', created.id, title);
    await expectStored('tasks', 'description', created.id, description);
    // and once more after an update through the API
    const updated = await mutate<{ title: string }>(api.url, 'tasks.update', token, {
      id: created.id,
      title: [...title].reverse().join(''),
    });
    same(updated.title, [...title].reverse().join(''));
  }

  it('keeps task titles and descriptions verbatim', async () => {
    const titles = samples(1, 200);
    const descriptions = samples(0, 10_000);
    for (const [i, title] of titles.entries()) {
      await taskRoundTrip(title, descriptions[i % descriptions.length]!);
    }
    // the longest description, in four-byte characters
    await taskRoundTrip('long', ofLength(10_000, ['😀', '𠜎']));
    await fc.assert(fc.asyncProperty(anyText(1, 200), anyText(0, 10_000), taskRoundTrip), {
      numRuns: runs,
    });
  }, 120_000);

  it('keeps team names verbatim', async () => {
    const roundTrip = async (name: string) => {
      const team = await mutate<{ id: string; name: string }>(api.url, 'teams.create', token, {
        name,
      });
      same(team.name, name);
      const { items } = await query<{ items: { id: string; name: string }[] }>(
        api.url,
        'teams.list',
        token,
        {
          limit: 100,
        },
      );
      same(items.find((item) => item.id === team.id)?.name, name);
      await expectStored('teams', 'name', team.id, name);
    };
    for (const name of samples(1, 100)) await roundTrip(name);
    await fc.assert(fc.asyncProperty(anyText(1, 100), roundTrip), { numRuns: runs });
  }, 120_000);

  it('keeps conversation titles and message contents verbatim', async () => {
    const roundTrip = async (title: string, content: string) => {
      const conversation = await mutate<{ id: string; title: string | null }>(
        api.url,
        'conversations.create',
        token,
        { title },
      );
      same(conversation.title, title);
      await expectStored('conversations', 'title', conversation.id, title);
      const message = await mutate<{ id: string; content: string }>(
        api.url,
        'messages.append',
        token,
        {
          conversationId: conversation.id,
          role: 'user',
          content,
        },
      );
      same(message.content, content);
      const { items } = await query<{ items: { content: string }[] }>(
        api.url,
        'messages.list',
        token,
        {
          conversationId: conversation.id,
        },
      );
      same(items[0]?.content, content);
      await expectStored('messages', 'content', message.id, content);
    };
    const titles = samples(1, 200);
    const contents = [...samples(1, 100_000), ...atLimit(100_000)];
    for (const [i, content] of contents.entries())
      await roundTrip(titles[i % titles.length]!, content);
    await fc.assert(fc.asyncProperty(anyText(1, 200), anyText(1, 100_000), roundTrip), {
      numRuns: runs,
    });
  }, 120_000);

  it('keeps the id, name and email claims of a token verbatim, and shares and teams join on them', async () => {
    const ids = samples(1, 255).filter((id) => id.trim() !== '');
    const emails = [
      "o'brien@example.com",
      "x'--@example.com",
      "'or'1'--x@example.com",
      'a+b_c-d@example.com',
      "robert'.tables@example.com",
    ];
    const names = samples(1, 200);
    const owner = await mutate<{ id: string }>(api.url, 'tasks.create', token, {
      title: 'shared out',
    });
    const team = await mutate<{ id: string }>(api.url, 'teams.create', token, { name: 'joined' });
    for (const [i, sub] of ids.entries()) {
      const email = i < emails.length ? emails[i]! : `user${i}@example.com`;
      const name = names[i % names.length]!;
      const userToken = await tokenFor(sub, { email, name });
      const me = await query<{ id: string; name: string; email: string }>(api.url, 'me', userToken);
      same(me.id, sub);
      same(me.name, name);
      same(me.email, email);
      await expectStored('users', 'id', sub, sub);
      await expectStored('users', 'name', sub, name);
      await expectStored('users', 'email', sub, email);
      // the id and the email name the user to share with and to add to a team
      const share = await mutate<{ sharedWith: { id: string; name: string; email: string } }>(
        api.url,
        'shares.create',
        token,
        i % 2 === 0
          ? { taskId: owner.id, userId: sub, permission: 'view' }
          : { taskId: owner.id, email, permission: 'edit' },
      );
      same(share.sharedWith.id, sub);
      same(share.sharedWith.name, name);
      const member = await mutate<{ userId: string }>(api.url, 'teams.addMember', token, {
        teamId: team.id,
        userId: sub,
      });
      same(member.userId, sub);
      // the user sees the task shared with them
      const seen = await query<{ access: string }>(api.url, 'tasks.get', userToken, {
        id: owner.id,
      });
      expect(seen.access).toMatch(/view|edit/);
    }
    const { items } = await query<{ items: { sharedWith: { id: string } }[] }>(
      api.url,
      'shares.list',
      token,
      {
        taskId: owner.id,
        limit: 100,
      },
    );
    expect(new Set(items.map((item) => item.sharedWith.id))).toEqual(new Set(ids));
    // and the tables are all still there, with what was written
    const [counts] = await sql.query<{ shares: string; members: string }>(
      `select (select count(*) from task_shares where task_id = $1) as shares,
              (select count(*) from team_members where team_id = $2) as members`,
      [owner.id, team.id],
    );
    expect(Number(counts?.shares)).toBe(ids.length);
    expect(Number(counts?.members)).toBe(ids.length + 1);
  }, 120_000);

  it('answers strings holding markup as JSON, never as something a browser would render', async () => {
    const title = '<script>alert(1)</script>';
    const created = await mutate<{ id: string }>(api.url, 'tasks.create', token, { title });
    const response = await send(api.url, 'tasks.get', {
      kind: 'query',
      token,
      input: { id: created.id },
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    // JSON escapes nothing of it, and needs not: the string comes back as it was
    expect(response.text).toContain(JSON.stringify(title));
    console.info(`round trips: ${roundTrips} values read back exactly with plain SQL`);
  });
});
