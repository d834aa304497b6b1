import { z } from 'zod';

/** Length in characters (code points), as PostgreSQL's `char_length` counts, not UTF-16 units. */
export const charLength = (value: string): number => {
  let length = 0;
  for (const _ of value) length += 1;
  return length;
};

/**
 * A text field as the database can store it and give back byte for byte: well-formed
 * Unicode (no lone surrogates, which would come back as U+FFFD), no NUL characters
 * (PostgreSQL text cannot hold them), and a length in characters between `min` and `max`.
 */
export function text(min: number, max: number) {
  return (
    z
      .string()
      .refine((value) => value.isWellFormed(), 'must be well-formed Unicode (no lone surrogates)')
      .refine((value) => !value.includes('\u0000'), 'must not contain NUL characters')
      .refine((value) => charLength(value) >= min, {
        message: min === 1 ? 'must not be empty' : `must be at least ${min} characters`,
        abort: true,
      })
      .refine((value) => charLength(value) <= max, `must be at most ${max} characters`)
      // JSON Schema counts lengths in code points too
      .meta({ minLength: min, maxLength: max })
  );
}

/** An opaque id the SDK generated (a UUID). */
export const uuidId = z.uuid({ message: 'must be an id (a UUID)' });
