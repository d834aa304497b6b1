import { type RawBuilder, sql } from 'kysely';
import { z } from 'zod';

/** The position after which the next page starts: a row's created_at (to the microsecond) and id. */
export interface KeysetPosition {
  /** created_at as PostgreSQL prints it in UTC, with microseconds. */
  createdAt: string;
  id: string;
}

const CURSOR_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;

/**
 * Whether `value` is an instant PostgreSQL accepts in the cursor's format: the shape alone
 * lets through days that do not exist (February 30th, hour 24, year 0), which PostgreSQL
 * refuses with an error, and a cursor is client input.
 */
function isCursorTimestamp(value: string): boolean {
  const parts = CURSOR_TIMESTAMP.exec(value)?.slice(1).map(Number);
  if (!parts) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = parts;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return (
    year >= 1 &&
    days !== undefined &&
    day >= 1 &&
    day <= days &&
    hour < 24 &&
    minute < 60 &&
    second < 60
  );
}

const positionSchema = z.tuple([z.string().refine(isCursorTimestamp), z.uuid()]);

/** Page size: 1–100, default 20. */
export const limitSchema = z
  .number()
  .int()
  .min(1)
  .max(100)
  .default(20)
  .describe('How many items a page holds, 1–100.');

/** Decodes a cursor, or returns undefined when it is not one this API made. */
export function decodeCursor(value: string): KeysetPosition | undefined {
  try {
    const decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
    const parsed = positionSchema.safeParse(decoded);
    return parsed.success ? { createdAt: parsed.data[0], id: parsed.data[1] } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An opaque page cursor, as `nextCursor` returned it. It stays a string through validation
 * (so that validating twice is harmless); the services decode it.
 */
export const cursorSchema = z
  .string()
  .max(200)
  .refine((value) => decodeCursor(value) !== undefined, 'is not a cursor this API returned')
  .describe(
    'The nextCursor of the previous page, with the same other arguments; omit for the first page.',
  );

/**
 * The keyset condition of the page after `cursor` over rows aliased `alias`, ordered by
 * (created_at, id) `desc` (newest first) or `asc`; true without a cursor.
 */
export function afterCursor(
  alias: string,
  cursor: string | undefined,
  order: 'asc' | 'desc',
): RawBuilder<boolean> {
  const position = cursor === undefined ? undefined : decodeCursor(cursor);
  if (!position) return sql<boolean>`true`;
  const row = sql`(${sql.ref(`${alias}.created_at`)}, ${sql.ref(`${alias}.id`)})`;
  const at = sql`(${position.createdAt}::timestamptz, ${position.id}::uuid)`;
  return order === 'desc' ? sql<boolean>`${row} < ${at}` : sql<boolean>`${row} > ${at}`;
}

/**
 * The schema of a page of `item`s as every paged list returns it: the items, and the cursor
 * of the next page (null on the last one).
 */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .describe(
        'Pass it as cursor, with the same other arguments, for the next page; null on the last page.',
      ),
  });
}

/** Encodes a position as the opaque `nextCursor`. */
export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

/**
 * The SQL expression that prints a created_at column exactly (microseconds, UTC) for the
 * cursor, so that rows written with `now()` behind the SDK's back page exactly too.
 */
export function cursorTimestamp(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** A page of results and the cursor of the next one (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Builds a page from `limit + 1` fetched rows: the extra row only says that there is more.
 */
export function toPage<Row extends { cursor_ts: string; id: string }, T>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => T,
): Page<T> {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(toItem),
    nextCursor: more && last ? encodeCursor({ createdAt: last.cursor_ts, id: last.id }) : null,
  };
}

/**
 * One page of a keyset-paged list, ordered by (created_at, id): the condition that starts it
 * after the cursor, the order with `limit + 1` rows (the extra one only says there is more),
 * and the page built from those rows. Every paged list reads through one.
 *
 * @example
 * ```ts
 * const page = keysetPage(data, 'desc');
 * const { rows } = await sql<TeamRow>`select … from teams t
 *   where ${page.after('t')} ${page.orderAndLimit('t')}`.execute(db);
 * return page.of(rows, toTeamDto);
 * ```
 */
export interface KeysetPage {
  /** The keyset condition over rows aliased `alias`; true on the first page. */
  after(alias: string): RawBuilder<boolean>;
  /** `order by <alias>.created_at, <alias>.id` in the page's direction, `limit <limit + 1>`. */
  orderAndLimit(alias?: string): RawBuilder<unknown>;
  /** The page from the fetched rows (each with its `cursor_ts`), mapped by `toItem`. */
  of<Row extends { cursor_ts: string; id: string }, T>(
    rows: Row[],
    toItem: (row: Row) => T,
  ): Page<T>;
}

/** The {@link KeysetPage} of a list input's `cursor` and `limit`, newest first (`desc`) or oldest first. */
export function keysetPage(
  input: { cursor?: string | undefined; limit: number },
  order: 'asc' | 'desc',
): KeysetPage {
  const direction = order === 'desc' ? sql`desc` : sql`asc`;
  const column = (alias: string | undefined, name: string) =>
    sql.ref(alias === undefined ? name : `${alias}.${name}`);
  return {
    after: (alias) => afterCursor(alias, input.cursor, order),
    orderAndLimit: (alias) =>
      sql`order by ${column(alias, 'created_at')} ${direction}, ${column(alias, 'id')} ${direction} limit ${input.limit + 1}`,
    of: (rows, toItem) => toPage(rows, input.limit, toItem),
  };
}

/**
 * The fields of every paged list's input: `limit` (1–100, default 20), `cursor` (the
 * `nextCursor` of the previous page) and `direction`, which tRPC's infinite queries send:
 * pages only go forward.
 */
export function pageFields() {
  return {
    limit: limitSchema,
    cursor: cursorSchema.optional(),
    direction: z
      .enum(['forward'], { error: "only 'forward' paging is supported" })
      .optional()
      .describe("Paging direction; only 'forward' (what tRPC's infinite queries send)."),
  };
}
