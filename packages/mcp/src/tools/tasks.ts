import {
  createTask,
  createTaskInput,
  deletedTaskSchema,
  deleteTask,
  deleteTaskInput,
  getTask,
  getTaskInput,
  listTasks,
  listTasksInput,
  pageSchema,
  type TaskDto,
  type TaskpulseContext,
  taskSchema,
  updateTask,
  updateTaskInput,
} from '@taskpulse/core';
import { z } from 'zod';
import { type Failure, failureLines, failureOf, failureSchema } from './failures.ts';
import { count, listed, nextPageHint, taskLine } from './summaries.ts';
import { defineTool, itemKey, READ_ONLY, withIdempotencyKey, writes } from './tool.ts';

/** The most items one batch tool takes. */
export const MAX_BATCH = 50;

const taskIds = z
  .array(getTaskInput.shape.id)
  .min(1)
  .max(MAX_BATCH)
  .describe(`The ids of the tasks, 1–${MAX_BATCH} (from find-tasks or get-task).`);

/** The result of a tool that changes several tasks one by one. */
const batchResult = z.object({
  tasks: z.array(taskSchema).describe('The tasks as they are now, in the order given.'),
  failures: z.array(failureSchema).describe('The items that failed, each with what to do.'),
});

/** Runs `work` on each item in turn: one failing item does not stop the others. */
async function eachOf<T>(
  items: readonly T[],
  key: (item: T, index: number) => string | number,
  work: (item: T, index: number) => Promise<TaskDto>,
): Promise<{ tasks: TaskDto[]; failures: Failure[] }> {
  const tasks: TaskDto[] = [];
  const failures: Failure[] = [];
  for (const [index, item] of items.entries()) {
    try {
      tasks.push(await work(item, index));
    } catch (error) {
      failures.push(failureOf(key(item, index), error));
    }
  }
  return { tasks, failures };
}

function batchSummary(done: string, result: { tasks: TaskDto[]; failures: Failure[] }): string {
  const lines = [
    `${done} ${count(result.tasks.length, 'task')}.`,
    ...listed(result.tasks, taskLine),
  ];
  if (result.failures.length > 0) {
    lines.push(
      `${count(result.failures.length, 'item')} failed:`,
      ...failureLines(result.failures),
    );
  }
  return lines.join('\n');
}

/** Sets the status of each task, skipping none: complete-tasks and reopen-tasks. */
const setStatus = (
  context: TaskpulseContext,
  ids: string[],
  status: 'completed' | 'pending',
  idempotencyKey: string | undefined,
) =>
  eachOf(
    ids,
    (id) => id,
    (id, index) =>
      updateTask(context, { id, status }, { idempotencyKey: itemKey(idempotencyKey, index) }),
  );

export const findTasks = defineTool({
  name: 'find-tasks',
  title: 'Find tasks',
  description:
    'Lists tasks the user can see, newest first, a page at a time. Filter by scope (owned, shared with the user, team, all), status, priority, overdue, the permission a task is shared at, team, and created or completed ranges (ISO-8601, from included, to excluded). Every dashboard figure is one of these filters: e.g. overdue=true with scope owned lists the tasks behind the overdue count. When nextCursor is not null, call again with the same arguments plus that cursor for the next page.',
  input: listTasksInput,
  output: pageSchema(taskSchema),
  annotations: READ_ONLY,
  run: async ({ context }, input) => {
    const page = await listTasks(context, input);
    const summary = [
      page.items.length === 0 ? 'No tasks match.' : `${count(page.items.length, 'task')}:`,
      ...listed(page.items, taskLine),
      nextPageHint('find-tasks', page.nextCursor),
    ].join('\n');
    return { data: page, summary };
  },
});

export const getTaskTool = defineTool({
  name: 'get-task',
  title: 'Get a task',
  description:
    'Reads one task by id, with its description, version and what the user may do with it (access: owner, edit or view). Use it before update-task to get the version to pass as expectedVersion.',
  input: getTaskInput,
  output: taskSchema,
  annotations: READ_ONLY,
  run: async ({ context }, input) => {
    const task = await getTask(context, input);
    const lines = [taskLine(task)];
    if (task.description) lines.push('', task.description);
    return { data: task, summary: lines.join('\n') };
  },
});

export const addTasks = defineTool({
  name: 'add-tasks',
  title: 'Add tasks',
  description: `Creates 1–${MAX_BATCH} tasks owned by the user, in the order given. Each needs a title (1–200 characters); description, priority (default medium), status (default pending), dueAt (ISO-8601 with an offset) and teamId (a team of the user's, from find-teams) are optional. Invalid arguments create nothing; a task that fails for another reason (a team the user is not in) is listed under failures while the others are created.`,
  input: withIdempotencyKey(
    z
      .object({
        tasks: z
          .array(createTaskInput)
          .min(1)
          .max(MAX_BATCH)
          .describe(`The tasks to create, 1–${MAX_BATCH}.`),
      })
      .strict(),
    { batch: true },
  ),
  output: batchResult,
  annotations: writes({ destructive: false, idempotent: false }),
  run: async ({ context }, input) => {
    const result = await eachOf(
      input.tasks,
      (_, index) => index,
      (task, index) =>
        createTask(context, task, { idempotencyKey: itemKey(input.idempotencyKey, index) }),
    );
    return { data: result, summary: batchSummary('Created', result) };
  },
});

export const updateTaskTool = defineTool({
  name: 'update-task',
  title: 'Update a task',
  description:
    "Changes a task's title, description, priority, due date (null clears it), status or team (null takes it out of its team). Give only the fields to change. Pass expectedVersion (from get-task or find-tasks) so that a task someone else changed meanwhile is not overwritten: that is a CONFLICT and nothing changes. To complete or reopen tasks, complete-tasks and reopen-tasks take several ids.",
  input: withIdempotencyKey(updateTaskInput),
  output: taskSchema,
  annotations: writes({ destructive: false, idempotent: false }),
  run: async ({ context }, { idempotencyKey, ...input }) => {
    const task = await updateTask(context, input, { idempotencyKey });
    return { data: task, summary: `Updated:\n${taskLine(task)}` };
  },
});

export const completeTasks = defineTool({
  name: 'complete-tasks',
  title: 'Complete tasks',
  description: `Marks 1–${MAX_BATCH} tasks completed (completedAt is set; a task already completed keeps its completedAt). Each task is done on its own: one the user cannot edit is listed under failures while the others are completed. reopen-tasks undoes it.`,
  input: withIdempotencyKey(z.object({ ids: taskIds }).strict(), { batch: true }),
  output: batchResult,
  annotations: writes({ destructive: false, idempotent: true }),
  run: async ({ context }, input) => {
    const result = await setStatus(context, input.ids, 'completed', input.idempotencyKey);
    return { data: result, summary: batchSummary('Completed', result) };
  },
});

export const reopenTasks = defineTool({
  name: 'reopen-tasks',
  title: 'Reopen tasks',
  description: `Sets 1–${MAX_BATCH} tasks back to pending (completedAt is cleared). Each task is done on its own: one the user cannot edit is listed under failures while the others are reopened.`,
  input: withIdempotencyKey(z.object({ ids: taskIds }).strict(), { batch: true }),
  output: batchResult,
  annotations: writes({ destructive: false, idempotent: true }),
  run: async ({ context }, input) => {
    const result = await setStatus(context, input.ids, 'pending', input.idempotencyKey);
    return { data: result, summary: batchSummary('Reopened', result) };
  },
});

export const deleteTaskTool = defineTool({
  name: 'delete-task',
  title: 'Delete a task',
  description:
    "Deletes one of the user's own tasks for good, with its shares; it cannot be undone, so confirm with the user first. Only the owner deletes a task. Pass expectedVersion to refuse if the task changed since it was read.",
  input: withIdempotencyKey(deleteTaskInput),
  output: deletedTaskSchema,
  annotations: writes({ destructive: true, idempotent: false }),
  run: async ({ context }, { idempotencyKey, ...input }) => {
    const deleted = await deleteTask(context, input, { idempotencyKey });
    return { data: deleted, summary: `Deleted task ${deleted.id}.` };
  },
});
