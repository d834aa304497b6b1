import type { TaskpulseIssue } from '@taskpulse/core';

type PathSegment = PropertyKey | { key: PropertyKey };

function isIssueList(value: unknown): value is { path?: PathSegment[]; message: string }[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (issue) =>
        typeof issue === 'object' &&
        issue !== null &&
        typeof (issue as { message?: unknown }).message === 'string',
    )
  );
}

function toKey(segment: PathSegment): string | number {
  const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
  return typeof key === 'number' ? key : String(key);
}

/**
 * The invalid fields behind a validation failure, each as `{ path, message }`: from a zod
 * error (tRPC's input validation), a Standard Schema failure, or a core `VALIDATION` error.
 * Undefined when `cause` is none of these.
 */
export function validationIssues(cause: unknown): TaskpulseIssue[] | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const { issues } = cause as { issues?: unknown };
  if (!isIssueList(issues)) return undefined;
  return issues.map((issue) => ({
    path: (issue.path ?? []).map(toKey),
    message: issue.message,
  }));
}

/** One line naming every bad field: `title: Too small…; priority: Invalid option…`. */
export function describeIssues(issues: TaskpulseIssue[]): string {
  const list = issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(input)'}: ${issue.message}`)
    .join('; ');
  return `Check the input: ${list}`;
}
