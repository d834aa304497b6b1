import type { z } from 'zod';
import { TaskpulseError } from './taskpulse-error.ts';

/** Turns a zod failure into a `VALIDATION` error that names every bad field by its path. */
export function validationError(error: z.ZodError, what: string): TaskpulseError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key)),
    message: issue.message,
  }));
  const list = issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
  return new TaskpulseError('VALIDATION', `Invalid ${what}: ${list}`, { issues });
}

/**
 * Parses `input` with `schema`, throwing a `VALIDATION` {@link TaskpulseError} that names each
 * bad field when it does not match.
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error, what);
  return result.data;
}
