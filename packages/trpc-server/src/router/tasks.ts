import {
  createTask,
  createTaskInput,
  deleteTask,
  deleteTaskInput,
  getTask,
  getTaskInput,
  listTasks,
  listTasksInput,
  updateTask,
  updateTaskInput,
} from '@taskpulse/core';
import type { TaskpulseBuilders } from './builders.ts';

/** `tasks.*`: the caller's tasks and the ones they can see, with the access rules of core. */
export const tasksProcedures = (b: TaskpulseBuilders) => ({
  tasks: b.router({
    create: b.authed
      .input(createTaskInput)
      .mutation(({ ctx, input }) =>
        createTask(ctx.taskpulse, input, { idempotencyKey: ctx.idempotencyKey }),
      ),
    get: b.authed.input(getTaskInput).query(({ ctx, input }) => getTask(ctx.taskpulse, input)),
    list: b.authed
      .input(listTasksInput.optional())
      .query(({ ctx, input }) => listTasks(ctx.taskpulse, input)),
    update: b.authed
      .input(updateTaskInput)
      .mutation(({ ctx, input }) =>
        updateTask(ctx.taskpulse, input, { idempotencyKey: ctx.idempotencyKey }),
      ),
    delete: b.authed
      .input(deleteTaskInput)
      .mutation(({ ctx, input }) =>
        deleteTask(ctx.taskpulse, input, { idempotencyKey: ctx.idempotencyKey }),
      ),
  }),
});
