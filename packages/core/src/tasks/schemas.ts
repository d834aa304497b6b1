import { z } from 'zod';
import { pageFields } from '../pagination/index.ts';
import { instantSchema, isoSchema } from '../schema/inputs.ts';
import { LIMITS, SHARE_PERMISSIONS, TASK_PRIORITIES, TASK_STATUSES } from '../schema/limits.ts';
import { text, uuidId } from '../schema/text.ts';

const title = text(LIMITS.taskTitle.min, LIMITS.taskTitle.max);
const description = text(0, LIMITS.taskDescription.max).nullable();
const status = z.enum(TASK_STATUSES);
const priority = z.enum(TASK_PRIORITIES);

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
    status: status.optional(),
    priority: priority.optional(),
    dueAt: instantSchema.nullable().optional(),
    /** File the task under a team the caller belongs to. */
    teamId: uuidId.nullable().optional(),
  })
  .strict();
export type CreateTaskInput = z.input<typeof createTaskInput>;

/** Input of `tasks.get`. */
export const getTaskInput = z.object({ id: uuidId }).strict();
export type GetTaskInput = z.input<typeof getTaskInput>;

/** Input of `tasks.update`: the fields to change, and optionally the version the caller saw. */
export const updateTaskInput = z
  .object({
    id: uuidId,
    title: title.optional(),
    description: description.optional(),
    status: status.optional(),
    priority: priority.optional(),
    dueAt: instantSchema.nullable().optional(),
    /** Move the task to a team (or out of one, with null); owner only. */
    teamId: uuidId.nullable().optional(),
    /** The update fails with CONFLICT, changing nothing, unless the task is at this version. */
    expectedVersion: z.number().int().min(1).optional(),
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
  .object({ id: uuidId, expectedVersion: z.number().int().min(1).optional() })
  .strict();
export type DeleteTaskInput = z.input<typeof deleteTaskInput>;

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
    scope: z.enum(TASK_SCOPES).default('all'),
    status: status.optional(),
    priority: priority.optional(),
    /** `true`: pending tasks due before now; `false`: every other task. */
    overdue: z.boolean().optional(),
    /** With `scope: 'shared'`: the permission the task is shared with me at. */
    permission: z.enum(SHARE_PERMISSIONS).optional(),
    /** `true`: my tasks that I shared with at least one user; `false`: my tasks shared with nobody. */
    sharedByMe: z.boolean().optional(),
    /** Only tasks filed under this team. */
    teamId: uuidId.optional(),
    createdFrom: instantSchema.optional(),
    createdTo: instantSchema.optional(),
    completedFrom: instantSchema.optional(),
    completedTo: instantSchema.optional(),
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
