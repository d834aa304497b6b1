/**
 * `Idempotency-Key` over real HTTP (PostgreSQL and PGlite): every mutation is carried out at most
 * once per user and key; a repeat answers the first status and body; batches send one key per call.
 */
import type { Taskpulse } from '@taskpulse/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../core/test/databases.ts';
import { call, postgresAvailable, useTestApi } from '../../test/api.ts';
import { signHs256, TEST_SECRET } from '../../test/tokens.ts';
import { createTaskpulseServer, type TaskpulseServer } from '../index.ts';

/** One answer of a batch. */
interface BatchAnswer {
  result?: { data: unknown };
  error?: { message: string; data: { code: string } };
}

interface Api {
  readonly url: string;
  readonly tp: Taskpulse;
}

/** A raw POST, so that the exact bytes of two answers can be compared. */
async function post(url: string, path: string, input: unknown, headers: Record<string, string>) {
  const response = await fetch(`${url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(input),
  });
  return { status: response.status, text: await response.text() };
}

function suite(api: () => Api) {
  let token: string;
  let bobToken: string;
  const taskCount = async () => {
    const [row] = await api()
      .tp.fork()
      .execute<{ n: number }[]>('select count(*)::int as n from tasks');
    return row?.n;
  };
  beforeAll(async () => {
    token = await signHs256({ sub: 'alice' });
    bobToken = await signHs256({ sub: 'bob' });
  });
  beforeEach(async () => {
    await api().tp.fork().execute('truncate tasks, idempotency_keys cascade');
  });
  const auth = () => ({ authorization: `Bearer ${token}` });

  it('ten identical tasks.create requests with one key make one task, each answered with the same status and body', async () => {
    const answers = [];
    for (let i = 0; i < 10; i++) {
      answers.push(
        await post(
          api().url,
          'tasks.create',
          { title: 'Pay rent' },
          { ...auth(), 'idempotency-key': 'rent-2026-12' },
        ),
      );
    }
    expect(await taskCount()).toBe(1);
    expect(answers[0]?.status).toBe(200);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    console.log(
      `HTTP: 10 identical tasks.create with one Idempotency-Key → ${await taskCount()} task`,
    );
  });

  it('without a key, every request writes', async () => {
    for (let i = 0; i < 3; i++) {
      await call(api().url, 'tasks.create', {
        method: 'POST',
        token,
        input: { title: 'Pay rent' },
      });
    }
    expect(await taskCount()).toBe(3);
  });

  it('refuses the same key with another input as 409 CONFLICT, and writes nothing', async () => {
    const headers = { 'idempotency-key': 'k1' };
    await call(api().url, 'tasks.create', {
      method: 'POST',
      token,
      input: { title: 'A' },
      headers,
    });
    const other = await call(api().url, 'tasks.create', {
      method: 'POST',
      token,
      input: { title: 'B' },
      headers,
    });
    expect(other.status).toBe(409);
    expect(other.body.error.data.code).toBe('CONFLICT');
    expect(other.body.error.message).toMatch(
      /Idempotency-Key was already used for a different request/,
    );
    expect(await taskCount()).toBe(1);
  });

  it('keeps keys per user', async () => {
    const headers = { 'idempotency-key': 'same' };
    await call(api().url, 'tasks.create', {
      method: 'POST',
      token,
      input: { title: 'A' },
      headers,
    });
    const bob = await call(api().url, 'tasks.create', {
      method: 'POST',
      token: bobToken,
      input: { title: 'A' },
      headers,
    });
    expect(bob.status).toBe(200);
    expect(await taskCount()).toBe(2);
  });

  it('accepts the key as a quoted structured-field string (the IETF draft’s form)', async () => {
    await call(api().url, 'tasks.create', {
      method: 'POST',
      token,
      input: { title: 'A' },
      headers: { 'idempotency-key': '"quoted-key"' },
    });
    const bare = await call(api().url, 'tasks.create', {
      method: 'POST',
      token,
      input: { title: 'A' },
      headers: { 'idempotency-key': 'quoted-key' },
    });
    expect(bare.status).toBe(200);
    expect(await taskCount()).toBe(1);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['with a space inside', 'a b'],
  ])(
    'refuses a key that is %s as 400 BAD_REQUEST naming the header, and writes nothing',
    async (_, key) => {
      const answer = await call(api().url, 'tasks.create', {
        method: 'POST',
        token,
        input: { title: 'A' },
        headers: { 'idempotency-key': key },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.data.code).toBe('BAD_REQUEST');
      expect(answer.body.error.message).toMatch(/^The Idempotency-Key header is invalid/);
      expect(await taskCount()).toBe(0);
    },
  );

  it('makes every kind of mutation retry-safe over HTTP (update, share, delete)', async () => {
    const created = await call(api().url, 'tasks.create', {
      method: 'POST',
      token,
      input: { title: 'A' },
    });
    const id = created.body.result.data.id as string;
    const twice = async (path: string, input: unknown, key: string, as = token) => {
      const first = await post(api().url, path, input, {
        authorization: `Bearer ${as}`,
        'idempotency-key': key,
      });
      const second = await post(api().url, path, input, {
        authorization: `Bearer ${as}`,
        'idempotency-key': key,
      });
      expect([path, first.status]).toEqual([path, 200]);
      expect(second).toEqual(first);
    };
    await call(api().url, 'me', { token: bobToken });
    await twice('tasks.update', { id, title: 'B' }, 'u1');
    const task = await call(api().url, 'tasks.get', { token, input: { id } });
    expect(task.body.result.data.version).toBe(2);
    await twice('shares.create', { taskId: id, userId: 'bob', permission: 'view' }, 's1');
    await twice('tasks.delete', { id }, 'd1');
    expect(await taskCount()).toBe(0);
  });

  describe('batches', () => {
    const batch = (headers: Record<string, string>, titles: string[]) =>
      fetch(`${api().url}/trpc/${titles.map(() => 'tasks.create').join(',')}?batch=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth(), ...headers },
        body: JSON.stringify(Object.fromEntries(titles.map((title, i) => [i, { title }]))),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as BatchAnswer[],
      }));

    it('takes one key per call, in order: a repeated batch writes nothing new and answers the same', async () => {
      const first = await batch({ 'idempotency-key': 'b1, "b,2", b3' }, ['one', 'two', 'three']);
      expect(first.status).toBe(200);
      const again = await batch({ 'idempotency-key': 'b1, "b,2", b3' }, ['one', 'two', 'three']);
      expect(again).toEqual(first);
      expect(await taskCount()).toBe(3);
      // each key belongs to its position: a batch that swaps them is refused, call by call
      const swapped = await batch({ 'idempotency-key': 'b3, "b,2", b1' }, ['one', 'two', 'three']);
      expect(swapped.body.map((answer) => answer.error?.data.code)).toEqual([
        'CONFLICT',
        undefined,
        'CONFLICT',
      ]);
      expect(await taskCount()).toBe(3);
    });

    it('refuses a header with another number of keys than calls, naming the header, and writes nothing', async () => {
      const answer = await batch({ 'idempotency-key': 'only-one' }, ['one', 'two']);
      for (const item of answer.body) {
        expect(item.error?.data.code).toBe('BAD_REQUEST');
        expect(item.error?.message).toMatch(
          /Idempotency-Key header has 1 key for a batch of 2 calls/,
        );
      }
      expect(await taskCount()).toBe(0);
    });
  });

  it('is ignored by queries', async () => {
    const answer = await call(api().url, 'tasks.list', {
      token,
      headers: { 'idempotency-key': 'not a valid key' },
    });
    expect(answer.status).toBe(200);
  });
}

describe.skipIf(!postgresAvailable)('Idempotency-Key over HTTP [postgres]', () => {
  const api = useTestApi();
  suite(() => api);

  it('ten concurrent identical requests with one key make one task, all answered alike', async () => {
    await api.tp.fork().execute('truncate tasks, idempotency_keys cascade');
    const token = await signHs256({ sub: 'alice' });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        post(
          api.url,
          'tasks.create',
          { title: 'Once' },
          {
            authorization: `Bearer ${token}`,
            'idempotency-key': 'concurrent',
          },
        ),
      ),
    );
    const [row] = await api.tp
      .fork()
      .execute<{ n: number }[]>('select count(*)::int as n from tasks');
    expect(row?.n).toBe(1);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]?.status).toBe(200);
  });
});

describe('Idempotency-Key over HTTP [pglite]', () => {
  const db = useTestDatabase('pglite');
  let server: TaskpulseServer;
  let url: string;
  beforeAll(async () => {
    server = createTaskpulseServer({
      taskpulse: db.tp,
      auth: { secret: TEST_SECRET },
      rateLimit: false,
    });
    ({ url } = await server.listen(0, '127.0.0.1'));
  });
  afterAll(async () => {
    await server?.close();
  });
  suite(() => ({ url, tp: db.tp }));
});
