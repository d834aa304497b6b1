import { z } from 'zod';
import { pageFields } from '../pagination/index.ts';
import { instantSchema, isoSchema } from '../schema/inputs.ts';
import { LIMITS, SHARE_PERMISSIONS, TASK_PRIORITIES, TASK_STATUSES } from '../schema/limits.ts';
import { text, uuidId } from '../schema/text.ts';

const title = text(LIMITS.taskTitle.min, LIMITS.taskTitle.max).describe("The task's title.");
const description = text(0, LIMITS.taskDescription.max)
  .nullable()
  .describe('Notes on the task; null for none.');
const status = z.enum(TASK_STATUSES);
const priority = z.enum(TASK_PRIORITIES);
const dueAt = instantSchema
  .nullable()
  .describe('When the task is due, an ISO-8601 date-time with an offset; null for no due date.');

const expectedVersion = z.number().int().min(1).optional();

/** What the caller may do with a task: `owner`, or the best of its share and team role. */
export const TASK_ACCESS = ['owner', 'edit', 'view'] as const;
/** One of {@link TASK_ACCESS}. */
export type TaskAccess = (typeof TASK_ACCESS)[number];

/** A task, as every procedure returns it. */
export const taskSchema = z.object({
  id: z.string(),
  /** The owner. */
  userId: z.string(),
  teamId: z.string().nullable(),
  title: z.string(),
  description: z.string().nullable(),
  status,
  priority,
  dueAt: isoSchema.nullable(),
  createdAt: isoSchema,
  updatedAt: isoSchema,
  completedAt: isoSchema.nullable(),
  version: z.number().int(),
  /** What the caller may do with it. */
  access: z.enum(TASK_ACCESS),
});
/** A task, as every procedure returns it. */
export type TaskDto = z.infer<typeof taskSchema>;

/** Input of `tasks.create`. */
export const createTaskInput = z
  .object({
    title,
    description: description.optional(),
    status: status.optional().describe('pending (the default) or completed.'),
    priority: priority.optional().describe('low, medium (the default) or high.'),
    dueAt: dueAt.optional(),
    /** File the task under a team the caller belongs to. */
    teamId: uuidId
      .nullable()
      .optional()
      .describe('File the task under a team the caller belongs to.'),
  })
  .strict();
export type CreateTaskInput = z.input<typeof createTaskInput>;

/** Input of `tasks.get`. */
export const getTaskInput = z.object({ id: uuidId.describe("The task's id.") }).strict();
export type GetTaskInput = z.input<typeof getTaskInput>;

/** Input of `tasks.update`: the fields to change, and optionally the version the caller saw. */
export const updateTaskInput = z
  .object({
    id: uuidId.describe("The task's id."),
    title: title.optional(),
    description: description.optional(),
    status: status.optional().describe('completed sets completedAt; pending clears it.'),
    priority: priority.optional(),
    dueAt: dueAt.optional(),
    /** Move the task to a team (or out of one, with null); owner only. */
    teamId: uuidId
      .nullable()
      .optional()
      .describe('Move the task to a team (or out of one, with null); owner only.'),
    /** The update fails with CONFLICT, changing nothing, unless the task is at this version. */
    expectedVersion: expectedVersion.describe(
      'The version the caller saw: the update fails with CONFLICT, changing nothing, if the task changed since.',
    ),
  })
  .strict()
  .refine(
    (input) =>
      ['title', 'description', 'status', 'priority', 'dueAt', 'teamId'].some(
        (key) => input[key as keyof typeof input] !== undefined,
      ),
    {
      message:
        'names nothing to change: give at least one of title, description, status, priority, dueAt, teamId',
    },
  );
export type UpdateTaskInput = z.input<typeof updateTaskInput>;

/** Input of `tasks.delete`. */
export const deleteTaskInput = z
  .object({
    id: uuidId.describe("The task's id."),
    expectedVersion: expectedVersion.describe(
      'The version the caller saw: the delete fails with CONFLICT, deleting nothing, if the task changed since.',
    ),
  })
  .strict();
export type DeleteTaskInput = z.input<typeof deleteTaskInput>;

/** What `tasks.delete` answers: the id of the deleted task. */
export const deletedTaskSchema = z.object({ id: z.string() });
export type DeletedTask = z.infer<typeof deletedTaskSchema>;

/** Which tasks a list covers. */
export const TASK_SCOPES = ['owned', 'shared', 'team', 'all'] as const;
export type TaskScope = (typeof TASK_SCOPES)[number];

/**
 * The filters of `tasks.list`. Every dashboard figure is defined as one of these, so that the
 * number and the list behind it can never disagree. Ranges are half-open: `from` included,
 * `to` excluded.
 */
export const taskFilterSchema = z
  .object({
    /**
     * `owned`: mine; `shared`: shared with me; `team`: filed under a team I belong to;
     * `all`: every task I can see.
     * @default 'all'
     */
    scope: z
      .enum(TASK_SCOPES)
      .default('all')
      .describe(
        'owned: mine; shared: shared with me by others; team: filed under a team I belong to; all: every task I can see.',
      ),
    status: status.optional(),
    priority: priority.optional(),
    /** `true`: pending tasks due before now; `false`: every other task. */
    overdue: z
      .boolean()
      .optional()
      .describe('true: pending tasks due before now; false: every other task.'),
    /** With `scope: 'shared'`: the permission the task is shared with me at. */
    permission: z
      .enum(SHARE_PERMISSIONS)
      .optional()
      .describe("With scope 'shared' only: the permission the task is shared with me at."),
    /** `true`: my tasks that I shared with at least one user; `false`: my tasks shared with nobody. */
    sharedByMe: z
      .boolean()
      .optional()
      .describe(
        'true: my tasks I shared with at least one user; false: my tasks shared with nobody.',
      ),
    /** Only tasks filed under this team. */
    teamId: uuidId.optional().describe('Only tasks filed under this team.'),
    createdFrom: instantSchema.optional().describe('Created at or after this instant (ISO-8601).'),
    createdTo: instantSchema.optional().describe('Created before this instant (ISO-8601).'),
    completedFrom: instantSchema
      .optional()
      .describe('Completed at or after this instant (ISO-8601).'),
    completedTo: instantSchema.optional().describe('Completed before this instant (ISO-8601).'),
  })
  .strict();

const checkFilter = (filter: z.output<typeof taskFilterSchema>, ctx: z.RefinementCtx): void => {
  if (filter.permission !== undefined && filter.scope !== 'shared') {
    ctx.addIssue({
      code: 'custom',
      path: ['permission'],
      message: "filters tasks shared with you: use it with scope 'shared'",
    });
  }
  for (const [from, to] of [
    ['createdFrom', 'createdTo'],
    ['completedFrom', 'completedTo'],
  ] as const) {
    const start = filter[from];
    const end = filter[to];
    if (start && end && start.getTime() >= end.getTime()) {
      ctx.addIssue({ code: 'custom', path: [to], message: `must be after ${from}` });
    }
  }
};

/** A parsed task filter. */
export type TaskFilter = z.output<typeof taskFilterSchema>;
/** A task filter, as the caller writes it. */
export type TaskFilterInput = z.input<typeof taskFilterSchema>;

/** Input of `tasks.list`: a {@link TaskFilterInput} and a page. */
export const listTasksInput = taskFilterSchema
  .extend(pageFields())
  .strict()
  // the rules across fields need every field valid: with a bad one, its raw value would be
  // judged (a createdFrom that is no Date crashed the range check)
  .superRefine(checkFilter, { when: (payload) => payload.issues.length === 0 });
export type ListTasksInput = z.input<typeof listTasksInput>;
