import { isTaskpulseError, type TaskpulseErrorCode } from '@taskpulse/core';
import { z } from 'zod';

/** What to do after each kind of domain error, told to the model after the error's own message. */
const NEXT_STEP: Record<TaskpulseErrorCode, string> = {
  VALIDATION: 'Fix the named fields and call the tool again.',
  UNAUTHORIZED: 'The user must sign in again.',
  NOT_FOUND:
    'Check the id: look tasks up with find-tasks, teams with find-teams (an id the user cannot see does not exist for them).',
  FORBIDDEN:
    'The user may not do this; do not retry. Tell them who can (the owner, or a team owner or admin).',
  CONFLICT: 'Read the current state (get-task) and retry only if the change still makes sense.',
  UNAVAILABLE: 'taskpulse cannot reach its database right now; try again in a few seconds.',
  INTERNAL: 'Something went wrong on taskpulse’s side; try again later.',
};

/** One item of a batch that failed: which one, the error code, and what to do. */
export const failureSchema = z.object({
  /** The id (or position) of the item, as the caller gave it. */
  item: z.union([z.string(), z.number().int()]),
  code: z.string(),
  message: z.string(),
});
export type Failure = z.infer<typeof failureSchema>;

/**
 * The code of `error` and a message for the model: the domain error's own message (which says
 * what is wrong and never carries another user's data) and what to do next. Anything that is
 * not a domain error says nothing about its cause.
 */
export function describeError(error: unknown): { code: TaskpulseErrorCode; message: string } {
  if (isTaskpulseError(error)) {
    const own = error.code === 'INTERNAL' ? 'taskpulse failed.' : error.message;
    const sentence = /[.!?]$/.test(own) ? own : `${own}.`;
    return { code: error.code, message: `${sentence} ${NEXT_STEP[error.code]}` };
  }
  return { code: 'INTERNAL', message: `taskpulse failed. ${NEXT_STEP.INTERNAL}` };
}

/** The failure of one item of a batch. */
export function failureOf(item: string | number, error: unknown): Failure {
  return { item, ...describeError(error) };
}

/** The summary lines of a batch's failures. */
export function failureLines(failures: readonly Failure[]): string[] {
  return failures.map((failure) => `- ${failure.item}: ${failure.code} — ${failure.message}`);
}
