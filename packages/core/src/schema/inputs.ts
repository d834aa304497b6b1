import { z } from 'zod';

/** The first and the last instant an input may name: what ISO-8601 writes with a four-digit year. */
const FIRST_INSTANT = new Date('0001-01-01T00:00:00Z').getTime();
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * An instant, as an ISO-8601 string with an offset (`2026-11-22T10:00:00Z`) or a `Date`;
 * parsed to a `Date`. It must fall between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z
 * in UTC, so that every output can write it back in the same form.
 */
export const instantSchema = z
  .union([
    z.date(),
    z.iso.datetime({
      offset: true,
      message: 'must be an ISO-8601 date-time such as 2026-11-22T10:00:00Z',
    }),
  ])
  .transform((value) => (value instanceof Date ? value : new Date(value)))
  .refine((value) => !Number.isNaN(value.getTime()), {
    message: 'must be a valid date-time',
    abort: true,
  })
  .refine(
    (value) => value.getTime() >= FIRST_INSTANT && value.getTime() <= LAST_INSTANT,
    'must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z (in UTC)',
  );

/** An instant as every output carries it: ISO-8601 in UTC. */
export const isoSchema = z.iso.datetime();

/**
 * PostgreSQL's text form of a timestamp (`2026-11-22 09:01:57.320123+00`, `… BC` before year
 * 1), as the driver hands `timestamptz` columns over.
 */
const POSTGRES_TIMESTAMP =
  /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?( BC)?$/;

/**
 * Reads a database timestamp. PostgreSQL's text form is read field by field: JavaScript's
 * `Date` parser takes the years 0001–0099 in it for 1901–2099, and cannot read `BC` at all.
 */
export function parseTimestamp(value: Date | string): Date {
  if (value instanceof Date) return value;
  const match = POSTGRES_TIMESTAMP.exec(value);
  if (!match) return new Date(value);
  const [, year, month, day, hour, minute, second, fraction = '', sign, oh, om, os, bc] = match;
  const date = new Date(0);
  date.setUTCFullYear(bc ? 1 - Number(year) : Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(
    Number(hour),
    Number(minute),
    Number(second),
    Number(fraction.padEnd(3, '0').slice(0, 3)),
  );
  const offsetSeconds = Number(oh ?? 0) * 3600 + Number(om ?? 0) * 60 + Number(os ?? 0);
  return new Date(date.getTime() - (sign === '-' ? -1 : 1) * offsetSeconds * 1000);
}

/** Formats a database timestamp for output. */
export const toIso = (value: Date | string): string => parseTimestamp(value).toISOString();

/** Formats a nullable database timestamp for output. */
export const toIsoOrNull = (value: Date | string | null): string | null =>
  value === null ? null : toIso(value);
