import { z } from 'zod';

/**
 * An instant, as an ISO-8601 string with an offset (`2026-11-22T10:00:00Z`) or a `Date`;
 * parsed to a `Date`.
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
  .refine((value) => !Number.isNaN(value.getTime()), 'must be a valid date-time');

/** An instant as every output carries it: ISO-8601 in UTC. */
export const isoSchema = z.iso.datetime();

/** Formats a database timestamp for output. */
export const toIso = (value: Date | string): string => new Date(value).toISOString();

/** Formats a nullable database timestamp for output. */
export const toIsoOrNull = (value: Date | string | null): string | null =>
  value === null ? null : toIso(value);
