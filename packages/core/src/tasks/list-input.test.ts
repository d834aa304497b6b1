import { describe, expect, it } from 'vitest';
import type { TaskpulseContext } from '../context.ts';
import { isTaskpulseError } from '../errors/index.ts';
import { listTasksInput } from './schemas.ts';
import { listTasks } from './task-service.ts';

/** The paths a parse failed on, or 'ok'. */
const pathsOf = (input: unknown) => {
  const result = listTasksInput.safeParse(input);
  return result.success ? 'ok' : result.error.issues.map((issue) => issue.path.join('.'));
};

describe('tasks.list input', () => {
  it.each([
    [{ createdFrom: 5, createdTo: '2026-01-01T00:00:00Z' }, ['createdFrom']],
    [{ createdFrom: '2026-01-01T00:00:00Z', createdTo: 'tomorrow' }, ['createdTo']],
    [{ completedFrom: [], completedTo: {} }, ['completedFrom', 'completedTo']],
    [{ createdFrom: '0000-01-01T00:00:00Z', createdTo: '2026-01-01T00:00:00Z' }, ['createdFrom']],
  ])(
    'regression: a bad bound beside a good one crashed the range check (getTime is not a function): %j',
    (input, paths) => {
      expect(pathsOf(input)).toEqual(paths);
    },
  );

  it('judges the rules across fields only once every field is valid', () => {
    // the scope is bad: whether permission fits it cannot be told, so permission is not blamed
    expect(pathsOf({ scope: 'everything', permission: 'view' })).toEqual(['scope']);
    expect(pathsOf({ scope: 'owned', permission: 'view' })).toEqual(['permission']);
    expect(
      pathsOf({ createdFrom: '2026-02-01T00:00:00Z', createdTo: '2026-01-01T00:00:00Z' }),
    ).toEqual(['createdTo']);
  });

  it('regression: listTasks threw a TypeError (end.getTime is not a function) for a bad upper bound; it is VALIDATION', async () => {
    // validation comes first: nothing else of the context is used
    const ctx = { caller: { id: 'anyone' } } as unknown as TaskpulseContext;
    const error = await listTasks(ctx, {
      completedFrom: '2026-01-01T00:00:00Z',
      completedTo: 'tomorrow',
    }).catch((caught: unknown) => caught);
    expect(isTaskpulseError(error, 'VALIDATION')).toBe(true);
  });
});
