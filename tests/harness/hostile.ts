/**
 * Hostile values for the fuzzers: for every kind of field the API takes, values that the
 * field must refuse (wrong types, out of range, malformed, Unicode traps, NUL bytes, numbers
 * that JSON cannot hold), and strings that are odd but valid (which must round-trip).
 */
import fc from 'fast-check';
import { RawJson } from './wire.ts';

/** Where a value travels: in a GET URL (about 16 KB at most, Node's header limit) or a body. */
export type Carrier = 'url' | 'body';

/** The kinds of fields the procedures take. */
export type FieldType =
  | { type: 'uuid' }
  | { type: 'text'; min: number; max: number }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'int'; min: number; max?: number }
  | { type: 'boolean' }
  | { type: 'instant' }
  | { type: 'cursor' }
  | { type: 'timeZone' }
  | { type: 'email' };

/** A field of a procedure's input. */
export type FieldSpec = FieldType & {
  /** Leaving it out is invalid. */
  required?: boolean;
  /** `null` is a valid value. */
  nullable?: boolean;
};

/** An invalid value, and whether the API finds it only after the schema (a semantic check). */
export interface InvalidValue {
  value: unknown;
  /** Refused by a check behind the input schema (an unknown time zone), not by the schema. */
  late: boolean;
}

// —— odd but valid text ————————————————————————————————————————————————————————————————

/** Strings that break naive code: injections, markup, and the corners of Unicode. */
export const ODD_TEXTS: readonly string[] = [
  "'; DROP TABLE tasks; --",
  "' OR '1'='1",
  '" OR ""="',
  "1'); DELETE FROM users WHERE ('1'='1",
  "Robert'); DROP TABLE team_members;--",
  '$1 $2 $$ $tag$ body $tag$',
  "E'\\x00' \\' \\\\ \\",
  "%' AND 1=1 -- _",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder as text, on purpose
  '? :name @p0 ${title} {{title}}',
  '/* comment */ -- trailing',
  "'; select pg_sleep(10); --",
  "' UNION SELECT password, email FROM users --",
  '<script>alert(1)</script>',
  '<img src=x onerror="alert(document.cookie)">',
  '"><svg/onload=alert(1)>',
  'javascript:alert(1)',
  '&lt;b&gt; &amp; &#x27; &#39; &quot;',
  "{{constructor.constructor('alert(1)')()}}",
  '__proto__',
  'constructor',
  'prototype',
  '{"__proto__":{"admin":true}}',
  '👩‍👩‍👧‍👦🏳️‍🌈👍🏽',
  'e\u0301\u0302\u0303\u0304 Z\u0351\u0352\u0353\u0354\u0355',
  '𝕏𝔸𝕄𝕃 𠜎𠜱𠝹 🂡',
  'שלום עולם مرحبا بالعالم',
  '\u202Egnp.exe \u202Dltr\u202C',
  'zero\u200Bwidth\u200C\u200Djoin\u2060\uFEFF',
  '\uFEFFstarts with a BOM',
  'line\u2028separator\u2029paragraph',
  'tab\tcarriage\rnewline\n',
  'control \u0001\u0002\u001F\u007F',
  'noncharacters \uFFFE\uFFFF \u{10FFFF}',
  '\\u0000 written out, not a NUL',
  ' leading and trailing spaces ',
  '😀',
];

/** A string of exactly `codePoints` code points, cycling through `pool`. */
export function ofLength(codePoints: number, pool: readonly string[]): string {
  const chars = pool.flatMap((item) => [...item]);
  let text = '';
  for (let i = 0; i < codePoints; i += 1) text += chars[i % chars.length];
  return text;
}

/** Code points, as PostgreSQL's char_length counts. */
export const charLength = (value: string): number => [...value].length;

/** Valid text of `min`–`max` code points: odd strings, any Unicode, long RTL and 4-byte runs. */
export function oddValidText(min: number, max: number): fc.Arbitrary<string> {
  const fits = (value: string) =>
    charLength(value) >= min &&
    charLength(value) <= max &&
    value.isWellFormed() &&
    !value.includes('\u0000');
  const fitting = ODD_TEXTS.filter(fits);
  const arbitraries: fc.Arbitrary<string>[] = [
    fc.string({ unit: 'binary', minLength: min, maxLength: Math.min(max, 60) }).filter(fits),
    fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 30) }).filter(fits),
    fc
      .constantFrom(['א', 'ב', ' ', 'م'], ['𝕏', '😀', '𠜎'], ['e', '\u0301'])
      .chain((pool) => fc.integer({ min: Math.max(min, 1), max }).map((n) => ofLength(n, pool))),
  ];
  if (fitting.length > 0) arbitraries.unshift(fc.constantFrom(...fitting));
  return fc.oneof(...arbitraries);
}

// —— wrong types ————————————————————————————————————————————————————————————————————————

const deepArray = (depth: number) => new RawJson(`${'['.repeat(depth)}${']'.repeat(depth)}`);
const deepObject = (depth: number) => new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
/** Deep objects cost more than twice the characters of deep arrays. */
const objectDepth = (depth: number, carrier: Carrier) =>
  carrier === 'url' ? Math.min(depth, 600) : depth;

/** Keys that prototype pollution goes through, and a few other traps. */
export const TRAP_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '__defineGetter__',
  'valueOf',
  '',
  ' ',
  '\u0000',
  '$where',
  'id; drop table tasks',
] as const;

/** Deeply nested JSON, as deep as the carrier allows. */
export function deepNesting(carrier: Carrier): fc.Arbitrary<RawJson> {
  // once URL-encoded, a level is 6 characters of array or 13 of object: stay under 16 KB
  const depths = carrier === 'url' ? [10, 200, 1_000] : [10, 1_000, 20_000, 100_000];
  return fc
    .tuple(fc.constantFrom(...depths), fc.boolean())
    .map(([depth, array]) => (array ? deepArray(depth) : deepObject(objectDepth(depth, carrier))));
}

/** An object with trap keys. */
const trapObject = fc
  .array(fc.tuple(fc.constantFrom(...TRAP_KEYS), fc.jsonValue({ maxDepth: 1 })), {
    minLength: 1,
    maxLength: 3,
  })
  .map((entries) => {
    // written as JSON text so that `__proto__` is an own key, as JSON.parse makes it
    const body = entries
      .map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`)
      .join(',');
    return new RawJson(`{${body}}`);
  });

/** JSON number tokens that no JavaScript number equals, and other numeric oddities. */
const NUMBER_TOKENS = [
  '1e309',
  '-1e309',
  '1e-400',
  '-0',
  '123456789012345678901234567890',
  '0.1e1',
];

type JsonKind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';

/** Values of every JSON type but those in `except`. */
export function wrongType(except: readonly JsonKind[], carrier: Carrier): fc.Arbitrary<unknown> {
  const kinds: [JsonKind, fc.Arbitrary<unknown>][] = [
    [
      'string',
      fc.constantFrom(
        'NaN',
        'Infinity',
        '-Infinity',
        '1e309',
        '-0',
        '0',
        '1',
        'true',
        'null',
        '',
        '[]',
        '{}',
      ),
    ],
    [
      'number',
      fc.oneof(
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(...NUMBER_TOKENS.slice(0, 2)).map((token) => new RawJson(token)),
      ),
    ],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    [
      'array',
      fc.oneof(
        fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
        deepNesting(carrier).filter((raw) => raw.text.startsWith('[')),
      ),
    ],
    [
      'object',
      fc.oneof(
        fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
        trapObject,
        deepNesting(carrier).filter((raw) => raw.text.startsWith('{')),
      ),
    ],
  ];
  return fc.oneof(...kinds.filter(([kind]) => !except.includes(kind)).map(([, arb]) => arb));
}

// —— invalid values per field type —————————————————————————————————————————————————————

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const NIL_OR_MAX = /^(0{8}-0{4}-0{4}-0{4}-0{12}|f{8}-f{4}-f{4}-f{4}-f{12})$/i;

/** Characters that do not belong inside an id, a name or a number. */
const INTRUDERS = [
  '\u200B',
  '\u202E',
  '\u0000',
  '\uD800',
  '\uDFFF',
  ' ',
  '\n',
  '%',
  "'",
  'é',
  '😀',
];

/** `value` with `intruder` put at `at` (clamped into the string, by code unit). */
const intrude = (value: string, intruder: string, at: number) => {
  const index = Math.min(Math.max(at, 0), value.length);
  return `${value.slice(0, index)}${intruder}${value.slice(index)}`;
};

/** `value` with an intruder at some position. */
const withIntruder = (value: fc.Arbitrary<string>, intruders = INTRUDERS) =>
  fc
    .tuple(value, fc.constantFrom(...intruders), fc.nat({ max: 60 }))
    .map(([text, intruder, at]) => intrude(text, intruder, at));

/** A string that is not well-formed Unicode (a lone surrogate inside). */
const illFormed = (text: fc.Arbitrary<string>) =>
  fc
    .tuple(
      text,
      fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D'),
      fc.nat({ max: 60 }),
    )
    .map(([value, surrogate, at]) => intrude(value, surrogate, at));

const plainText = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 });

function invalidText(spec: { min: number; max: number }, carrier: Carrier): fc.Arbitrary<unknown> {
  const longest = carrier === 'url' ? Math.min(spec.max + 100, 1_000) : spec.max + 1_000;
  const tooLong = fc
    .tuple(
      fc.integer({ min: spec.max + 1, max: longest }),
      fc.constantFrom(['a'], ['😀'], ['א', 'ב'], ['e', '\u0301'], ['\u200B']),
    )
    .map(([n, pool]) => ofLength(n, pool));
  const options: fc.Arbitrary<unknown>[] = [
    tooLong,
    illFormed(plainText),
    withIntruder(plainText, ['\u0000']),
    wrongType(['string'], carrier),
  ];
  if (spec.min >= 1) options.push(fc.constant(''));
  return fc.oneof(...options);
}

function invalidInt(spec: { min: number; max?: number }, carrier: Carrier): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [
    fc.integer({ min: -2_147_483_648, max: spec.min - 1 }),
    fc.double({
      min: spec.min,
      max: spec.max ?? spec.min + 1_000,
      noNaN: true,
      noDefaultInfinity: true,
      noInteger: true,
    }),
    fc.constantFrom('NaN', '1e309', '-0', '1', String(spec.min), '0x10', ' 1'),
    fc.constantFrom('1e309', '-1e309').map((token) => new RawJson(token)),
    wrongType(['number'], carrier),
  ];
  if (spec.max !== undefined) {
    options.push(fc.integer({ min: spec.max + 1, max: 2_147_483_647 }));
    options.push(fc.constant(new RawJson('9007199254740993')));
  } else {
    options.push(fc.constant(new RawJson('1e400')));
  }
  if (spec.min > 0)
    options.push(fc.constantFrom('1e-400', '-0').map((token) => new RawJson(token)));
  return fc.oneof(...options);
}

/** Instants the API must refuse: malformed, impossible, out of range, or not a string. */
export const BAD_INSTANTS = [
  '2026-02-30T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-01-01',
  '2026-01-01T00:00:00',
  '2026-01-01 00:00:00Z',
  '2026-01-01T25:00:00Z',
  '2026-01-01T00:00:60Z',
  '2026-01-01T00:00:00+24:00',
  '2026-01-01T00:00:00ZZ',
  'now',
  'tomorrow',
  'Infinity',
  'NaN',
  '1700000000000',
  '',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+01:00',
  '9999-12-31T23:59:59-00:01',
  '10000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '-000001-01-01T00:00:00Z',
] as const;

const validIso = fc
  .date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2100-01-01T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((date) => date.toISOString());

/** Strings that this API never handed out as a cursor, including well-made impostors. */
function invalidCursor(carrier: Carrier): fc.Arbitrary<unknown> {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const uuid = fc.uuid({ version: 7 });
  return fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.jsonValue({ maxDepth: 2 }).map(encode),
    // the right shape, with a timestamp that does not exist
    fc
      .tuple(
        fc.constantFrom(
          '2026-02-30T00:00:00.000000Z',
          '2026-13-01T00:00:00.000000Z',
          '2026-01-01T24:00:00.000000Z',
          '2026-01-01T23:59:60.000000Z',
          '0000-01-01T00:00:00.000000Z',
          '2026-00-00T00:00:00.000000Z',
          '9999-99-99T99:99:99.999999Z',
        ),
        uuid,
      )
      .map(encode),
    fc.tuple(fc.constant('2026-01-01T00:00:00.000000Z'), fc.string({ maxLength: 36 })).map(encode),
    fc.tuple(validIso, uuid).map(encode),
    fc.tuple(fc.constant('2026-01-01T00:00:00.000000Z'), uuid, fc.jsonValue()).map(encode),
    fc.integer({ min: 201, max: carrier === 'url' ? 1_000 : 5_000 }).map((n) => 'A'.repeat(n)),
    wrongType(['string'], carrier),
  );
}

function invalidTimeZone(carrier: Carrier): fc.Arbitrary<InvalidValue> {
  const unknownName = fc.oneof(
    fc.constantFrom(
      'Mars/Base',
      'utc',
      'Europe/berlin',
      'Europe/Berlin ',
      ' UTC',
      'UTC+5',
      '+05:00',
      'GMT+25',
      'Etc/GMT+99',
      '../../etc/passwd',
      "UTC'; drop table tasks; --",
      'Europe/Berlin\u200B',
      'Europe/Berlín',
      '\u202EUTC',
      'Europe\\Berlin',
      'UTC\u0000',
      'Europe/Berlin\uD800',
    ),
    // random names: the odds that one is a real zone are nil, and "x/" keeps them apart
    fc.string({ minLength: 1, maxLength: 30 }).map((name) => `x/${name}`),
  );
  return fc.oneof(
    unknownName.map((value) => ({ value, late: true })),
    fc
      .oneof(
        fc.constant(''),
        fc.integer({ min: 65, max: 200 }).map((n) => ofLength(n, ['Europe/Berlin'])),
        wrongType(['string'], carrier),
      )
      .map((value) => ({ value, late: false })),
  );
}

const BAD_EMAILS = [
  'not-an-email',
  'a@b',
  '@example.com',
  'a@',
  'a b@example.com',
  'a@example.com\u0000',
  'a@exa mple.com',
  '"quoted"@example.com',
  'a@[127.0.0.1]',
  'a@example.com ',
  'a\u200B@example.com',
  "x'; drop table users; --@example.com",
  '<script>@example.com',
  '',
] as const;

/** Values that a field of `spec` must refuse. */
export function invalidValue(spec: FieldSpec, carrier: Carrier): fc.Arbitrary<InvalidValue> {
  const early = (arbitrary: fc.Arbitrary<unknown>) =>
    arbitrary.map((value) => ({ value, late: false }));
  const notNull: JsonKind[] = spec.nullable ? ['null'] : [];
  switch (spec.type) {
    case 'uuid':
      return early(
        fc.oneof(
          fc
            .string({ maxLength: 40 })
            .filter((value) => !UUID.test(value) && !NIL_OR_MAX.test(value)),
          withIntruder(fc.uuid()),
          fc.uuid().map((id) => `${id}' OR '1'='1`),
          fc.uuid().map((id) => id.replaceAll('-', '')),
          // PostgreSQL would take these; the API's ids are RFC 9562 UUIDs
          fc.uuid().map((id) => `${id.slice(0, 14)}0${id.slice(15)}`),
          fc.uuid().map((id) => `{${id}}`),
          wrongType(['string', ...notNull], carrier),
        ),
      );
    case 'text':
      return early(
        spec.nullable
          ? invalidText(spec, carrier).filter((value) => value !== null)
          : invalidText(spec, carrier),
      );
    case 'enum':
      return early(
        fc.oneof(
          fc.string({ maxLength: 12 }).filter((value) => !spec.values.includes(value)),
          fc.constantFrom(...spec.values).map((value) => value.toUpperCase()),
          fc.constantFrom(...spec.values).map((value) => `${value}\u0000`),
          fc.constantFrom(...spec.values).map((value) => ` ${value}`),
          fc.constantFrom(...spec.values).map((value) => `${value}\u200B`),
          wrongType(['string'], carrier),
        ),
      );
    case 'int':
      return early(invalidInt(spec, carrier));
    case 'boolean':
      return early(
        fc.oneof(
          fc.constantFrom('true', 'false', '1', '0', '', 'yes'),
          fc.constantFrom(0, 1),
          wrongType(['boolean'], carrier),
        ),
      );
    case 'instant':
      return early(
        fc.oneof(
          fc.constantFrom(...BAD_INSTANTS),
          withIntruder(validIso),
          fc.integer(),
          wrongType(['string', 'number', ...notNull], carrier),
        ),
      );
    case 'cursor':
      return early(invalidCursor(carrier));
    case 'timeZone':
      return invalidTimeZone(carrier);
    case 'email':
      return early(
        fc.oneof(
          fc.constantFrom(...BAD_EMAILS),
          fc.integer({ min: 321, max: 400 }).map((n) => `${'a'.repeat(n - 12)}@example.com`),
          wrongType(['string'], carrier),
        ),
      );
  }
}
