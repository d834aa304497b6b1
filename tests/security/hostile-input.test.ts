/**
 * Hostile input over real HTTP: every procedure's input is fuzzed with fast-check (wrong
 * types, missing and extra fields, huge and empty strings, Unicode traps, NUL bytes, deep
 * nesting, prototype keys, bad cursors, bad time zones, numbers JSON cannot hold). The API
 * must answer each with BAD_REQUEST naming the bad fields in `data.issues[].path` — never a
 * 5xx — and write nothing: every row of every table stays as it was.
 */
import { encodeCursor } from '@taskpulse/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, tokenFor, useApi } from '../harness/api.ts';
import { type Table, useSql } from '../harness/database.ts';
import { byLength } from '../harness/env.ts';
import {
  charLength,
  deepNesting,
  type InvalidValue,
  invalidValue,
  oddValidText,
  TRAP_KEYS,
} from '../harness/hostile.ts';
import {
  type Fixtures,
  NO_INPUT_PROCEDURES,
  PROCEDURES,
  type ProcedureSpec,
} from '../harness/procedures.ts';
import { jsonText, mutate, RawJson, send, type WireResponse } from '../harness/wire.ts';

/** What one fuzzed input did to the input, so that the answer can be judged. */
interface Corruption {
  /** The input, as JSON text. */
  input: RawJson;
  /** Fields given a value the schema refuses (or left out while required). */
  early: string[];
  /** Fields given a value only a later check refuses (an unknown time zone). */
  late: string[];
  /** Keys the input should not have. */
  extras: string[];
  /** The input as a whole is not an object. */
  wrongShape: boolean;
}

type Action =
  | { kind: 'keep' }
  | { kind: 'drop' }
  | { kind: 'odd'; value: string }
  | ({ kind: 'invalid' } & InvalidValue);

/** Inputs of `spec` that are invalid in known ways. */
function corruptions(spec: ProcedureSpec, fixtures: Fixtures): fc.Arbitrary<Corruption> {
  const carrier = spec.kind === 'mutation' ? 'body' : 'url';
  const valid = spec.valid(fixtures);
  const names = Object.keys(spec.fields);
  const actions = names.map((name) => {
    const field = spec.fields[name]!;
    const choices: fc.WeightedArbitrary<Action>[] = [
      { weight: 4, arbitrary: fc.constant({ kind: 'keep' }) },
      {
        weight: 4,
        arbitrary: invalidValue(field, carrier).map((value) => ({ kind: 'invalid', ...value })),
      },
    ];
    if (field.required) choices.push({ weight: 1, arbitrary: fc.constant({ kind: 'drop' }) });
    if (field.type === 'text') {
      const max = carrier === 'url' ? Math.min(field.max, 300) : field.max;
      choices.push({
        weight: 2,
        arbitrary: oddValidText(field.min, max).map((value) => ({ kind: 'odd', value })),
      });
    }
    return fc.oneof(...choices);
  });
  const extraKey = fc
    .oneof(fc.constantFrom(...TRAP_KEYS), fc.string({ maxLength: 8 }))
    // Node 24.21's JSON.parse (a V8 bug) reads a one-character escaped key such as "\u0000" as a
    // lone backslash once it has parsed an object with the same keys before it and a lone
    // backslash key: the server would name a key we did not send (either one is refused).
    // Reproduced without taskpulse, see SECURITY.md; so no lone backslash key is sent.
    .filter((key) => !names.includes(key) && key !== '\\');
  const extras = fc.uniqueArray(fc.tuple(extraKey, fc.jsonValue({ maxDepth: 1 })), {
    maxLength: 2,
    minLength: names.length === 0 ? 1 : 0,
    selector: ([key]) => key,
  });
  const object = fc.tuple(fc.tuple(...actions), extras).map(([chosen, extra]): Corruption => {
    const entries: [string, unknown][] = [];
    const early: string[] = [];
    const late: string[] = [];
    chosen.forEach((action, index) => {
      const name = names[index]!;
      if (action.kind === 'drop') {
        early.push(name);
        return;
      }
      if (action.kind === 'keep') {
        if (name in valid) entries.push([name, valid[name]]);
        return;
      }
      entries.push([name, action.value]);
      if (action.kind === 'invalid') (action.late ? late : early).push(name);
    });
    entries.push(...extra);
    // written out as JSON text so that `__proto__` is an own key, as JSON.parse makes it
    const text = `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${jsonText(value)}`).join(',')}}`;
    return {
      input: new RawJson(text),
      early,
      late,
      extras: extra.map(([key]) => key),
      wrongShape: false,
    };
  });
  const shape = fc
    .oneof(
      fc.constant(new RawJson(`[${JSON.stringify(valid)}]`)),
      fc
        .constantFrom('[]', '"a string"', '42', 'true', 'null', '1e309', '-0', '""')
        .map((text) => new RawJson(text)),
      deepNesting(carrier),
    )
    .map((input): Corruption => ({ input, early: [], late: [], extras: [], wrongShape: true }));
  return fc
    .oneof({ weight: 6, arbitrary: object }, { weight: 1, arbitrary: shape })
    .filter((c) => c.wrongShape || c.early.length + c.late.length + c.extras.length > 0)
    .filter(
      // Node refuses a request line and headers over 16 KB itself (431): stay well under
      (c) => carrier === 'body' || encodeURIComponent(c.input.text).length < URL_BUDGET,
    );
}

/** The most characters a fuzzed query input takes in its URL, once encoded. */
const URL_BUDGET = 12_000;
/** The server's default body limit (maxBodySize). */
const MAX_BODY_BYTES = 1_048_576;

const LEAKS =
  /\bselect\b.*\bfrom\b|\binsert into\b|\bupdate\s+\w+\s+set\b|\n\s+at\s|node_modules|\.ts:\d+/i;

/** Asserts that `response` refuses `c` with BAD_REQUEST, naming what is wrong and nothing else. */
function expectRefused(spec: ProcedureSpec, c: Corruption, response: WireResponse): void {
  const described = `${spec.name} ${c.input.toString()} → ${response.status} ${response.text.slice(0, 400)}`;
  expect(response.status, described).toBeLessThan(500);
  // a subscription streams its error as an SSE event: the stream itself is 200
  expect(response.status, described).toBe(
    spec.kind === 'subscription' && response.status === 200 ? 200 : 400,
  );
  const error = response.error;
  expect(error, described).toBeDefined();
  expect(error?.data.code, described).toBe('BAD_REQUEST');
  expect(error?.data.httpStatus, described).toBe(400);
  expect(error?.data.stack, described).toBeUndefined();
  expect(error?.message, described).not.toMatch(LEAKS);
  const issues = error?.data.issues ?? [];
  expect(issues.length, described).toBeGreaterThan(0);
  for (const issue of issues) {
    expect(Array.isArray(issue.path) && typeof issue.message === 'string', described).toBe(true);
  }
  const named = (field: string) => issues.some((issue) => issue.path[0] === field);
  if (c.wrongShape) {
    expect(
      issues.some((issue) => issue.path.length === 0),
      described,
    ).toBe(true);
    return;
  }
  for (const field of c.early) expect(named(field), `${field} not named: ${described}`).toBe(true);
  if (c.early.length === 0 && c.extras.length === 0) {
    for (const field of c.late) expect(named(field), `${field} not named: ${described}`).toBe(true);
  }
  for (const key of c.extras) {
    expect(
      issues.some((issue) => issue.path.length === 0 && issue.message.includes(`"${key}"`)),
      `extra key ${JSON.stringify(key)} not named: ${described}`,
    ).toBe(true);
  }
  // nothing else is blamed: the odd-but-valid values and the untouched fields pass
  const blamed = new Set([...c.early, ...c.late]);
  for (const field of [...blamed])
    for (const other of spec.related?.[field] ?? []) blamed.add(other);
  for (const issue of issues) {
    if (issue.path.length === 0) continue;
    expect(
      blamed.has(String(issue.path[0])),
      `${JSON.stringify(issue)} blames a valid field: ${described}`,
    ).toBe(true);
  }
}

describe.skipIf(!postgresAvailable)('hostile input over HTTP [postgres]', () => {
  const api = useApi();
  const sql = useSql(() => api.databaseUrl);
  const fuzzed: Record<string, number> = {};
  const count = (what: string) => {
    fuzzed[what] = (fuzzed[what] ?? 0) + 1;
  };
  let token: string;
  let fixtures: Fixtures;
  let baseline: Record<Table, string>;

  const runs = byLength('hostile input: runs per procedure', 60, 300);

  beforeAll(async () => {
    token = await tokenFor('fuzzer');
    const bob = await tokenFor('bob');
    await mutate(api.url, 'conversations.create', bob, {}); // bob signs in once
    const team = await mutate<{ id: string }>(api.url, 'teams.create', token, {
      name: 'fuzz team',
    });
    await mutate(api.url, 'teams.addMember', token, { teamId: team.id, userId: 'bob' });
    const task = await mutate<{ id: string }>(api.url, 'tasks.create', token, {
      title: 'fuzz target',
      teamId: team.id,
    });
    await mutate(api.url, 'shares.create', token, {
      taskId: task.id,
      userId: 'bob',
      permission: 'view',
    });
    const conversation = await mutate<{ id: string }>(api.url, 'conversations.create', token, {
      title: 'fuzz chat',
    });
    await mutate(api.url, 'messages.append', token, {
      conversationId: conversation.id,
      role: 'user',
      content: 'hi',
    });
    fixtures = {
      taskId: task.id,
      teamId: team.id,
      conversationId: conversation.id,
      otherUserId: 'bob',
      cursor: encodeCursor({ createdAt: '2026-01-01T00:00:00.000000Z', id: task.id }),
    };
    baseline = await sql.fingerprint();
  });

  afterAll(() => {
    const total = Object.values(fuzzed).reduce((sum, n) => sum + n, 0);
    console.info(`hostile input: ${total} inputs fuzzed over HTTP — ${JSON.stringify(fuzzed)}`);
  });

  it('starts from valid inputs: each one passes its schema', () => {
    for (const spec of PROCEDURES) {
      expect([spec.name, spec.schema.safeParse(spec.valid(fixtures)).success]).toEqual([
        spec.name,
        true,
      ]);
    }
  });

  it.each(PROCEDURES.map((spec) => [spec.name, spec] as const))(
    '%s: refuses invalid input with BAD_REQUEST naming each bad field, and writes nothing',
    async (_, spec) => {
      await fc.assert(
        fc.asyncProperty(
          corruptions(spec, fixtures),
          spec.kind === 'subscription' ? fc.constant(false) : fc.boolean(),
          async (c, batch) => {
            count(spec.name);
            const response = await send(api.url, spec.name, {
              kind: spec.kind,
              token,
              input: c.input,
              batch,
            });
            if (spec.kind === 'mutation' && Buffer.byteLength(c.input.text) > MAX_BODY_BYTES) {
              // several huge fields together: the body limit answers before validation
              count('bodies over 1 MiB');
              expect(response.status).toBe(413);
              expect(response.error?.data.code).toBe('PAYLOAD_TOO_LARGE');
            } else {
              expectRefused(spec, c, response);
            }
            expect(await sql.fingerprint()).toEqual(baseline);
          },
        ),
        { numRuns: runs },
      );
    },
    120_000,
  );

  it('answers well-formed input naming objects that do not exist with NOT_FOUND, and writes nothing', async () => {
    // [procedure, field]: the field is given an id that names nothing
    const targets: [string, string][] = [
      ['tasks.create', 'teamId'],
      ['tasks.get', 'id'],
      ['tasks.update', 'id'],
      ['tasks.update', 'teamId'],
      ['tasks.delete', 'id'],
      ['shares.create', 'taskId'],
      ['shares.create', 'userId'],
      ['shares.create', 'email'],
      ['shares.delete', 'taskId'],
      ['shares.delete', 'userId'],
      ['shares.list', 'taskId'],
      ['teams.addMember', 'teamId'],
      ['teams.addMember', 'userId'],
      ['teams.addMember', 'email'],
      ['teams.removeMember', 'teamId'],
      ['teams.removeMember', 'userId'],
      ['messages.append', 'conversationId'],
      ['messages.list', 'conversationId'],
    ];
    const missingId = (field: string) =>
      field === 'userId'
        ? fc
            .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
            .map((id) => `nobody-${id}`)
            // a valid user id: well-formed, no NUL, at most 255 code points
            .filter((id) => !id.includes('\u0000') && charLength(id) <= 255)
        : field === 'email'
          ? fc.stringMatching(/^[a-z0-9]{1,20}$/).map((local) => `nobody-${local}@example.com`)
          : fc.uuid();
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...targets)
          .chain(([name, field]) => missingId(field).map((id) => ({ name, field, id }))),
        async ({ name, field, id }) => {
          count('NOT_FOUND probes');
          const spec = PROCEDURES.find((candidate) => candidate.name === name)!;
          const input: Record<string, unknown> = { ...spec.valid(fixtures), [field]: id };
          if (field === 'email') delete input.userId;
          const response = await send(api.url, name, { kind: spec.kind, token, input });
          const described = `${name} ${JSON.stringify(input)} → ${response.status} ${response.text.slice(0, 300)}`;
          expect(response.status, described).toBe(404);
          expect(response.error?.data.code, described).toBe('NOT_FOUND');
          expect(await sql.fingerprint()).toEqual(baseline);
        },
      ),
      { numRuns: runs * 2 },
    );
  }, 120_000);

  it('ignores any input sent to me and health (they take none), writing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...NO_INPUT_PROCEDURES),
        fc.oneof(fc.jsonValue({ maxDepth: 3 }), deepNesting('url')),
        async (procedure, input) => {
          count('inputs to me and health');
          const response = await send(api.url, procedure.name, {
            kind: 'query',
            input,
            ...(procedure.authed ? { token } : {}),
          });
          expect(response.status, response.text.slice(0, 300)).toBe(200);
          expect(await sql.fingerprint()).toEqual(baseline);
        },
      ),
      { numRuns: Math.round(runs / 2) },
    );
  }, 60_000);

  it('refuses mutation bodies of other content types with a 4xx, writing nothing', async () => {
    const mutations = PROCEDURES.filter((spec) => spec.kind === 'mutation');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...mutations),
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=xyz',
          'application/octet-stream',
          'application/xml',
          'application/json; charset=latin1',
          null,
        ),
        async (spec, contentType) => {
          count('odd content types');
          // an extra key keeps the input invalid however the body is read
          const input = spec.valid(fixtures);
          const response = await send(api.url, spec.name, {
            kind: 'mutation',
            token,
            input: { ...input, extra: true },
            contentType,
          });
          const described = `${spec.name} as ${contentType} → ${response.status} ${response.text.slice(0, 300)}`;
          expect(response.status, described).toBeGreaterThanOrEqual(400);
          expect(response.status, described).toBeLessThan(500);
          expect(await sql.fingerprint()).toEqual(baseline);
        },
      ),
      { numRuns: Math.round(runs / 2) },
    );
  }, 60_000);
});
