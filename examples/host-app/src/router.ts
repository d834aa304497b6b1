/**
 * The app's own tRPC router and context, with taskpulse's procedures mounted under
 * `taskpulse`. The app's procedures use its own session; taskpulse's map the same session
 * through `resolveUser` (see `app.ts`), so both see the same user.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import { createTask, createTaskInput, type TaskDto, type Taskpulse } from '@taskpulse/core';
import {
  createTaskpulseHostRouter,
  type TaskpulseRequestContext,
  type TaskpulseRuntime,
  toTRPCError,
} from '@taskpulse/trpc-server';
import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import { type IProject, Project, ProjectTask } from './schema.ts';
import type { Session } from './session.ts';

/** The app's request context: its session, its unit of work, and taskpulse's request context. */
export interface AppContext {
  /** The signed-in account, or null. */
  readonly session: Session | null;
  /** This request's entity manager (a fork of the app's one ORM). */
  readonly em: EntityManager;
  /** taskpulse's context of this request, made by `runtime.createContext()`. */
  readonly taskpulse: TaskpulseRequestContext;
}

/** A project, as the app's procedures return it. */
export interface ProjectDto {
  id: string;
  name: string;
  createdAt: string;
  taskIds: string[];
}

const toProjectDto = (project: IProject, taskIds: string[]): ProjectDto => ({
  id: project.id,
  name: project.name,
  createdAt: project.createdAt.toISOString(),
  taskIds,
});

/** Input of `projects.createWithTasks`: the tasks take exactly taskpulse's `tasks.create` input. */
export const createProjectInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    tasks: z.array(createTaskInput).min(1).max(20),
  })
  .strict();

/** Builds the app's router on its own tRPC instance. */
export function createAppRouter(taskpulse: Taskpulse, runtime: TaskpulseRuntime) {
  // no stack traces in answers, whatever NODE_ENV says
  const t = initTRPC.context<AppContext>().create({ isDev: false });

  const signedIn = t.procedure.use(({ ctx, next }) => {
    if (!ctx.session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first.' });
    return next({ ctx: { session: ctx.session } });
  });

  return t.router({
    /** The signed-in account, or null. */
    session: t.procedure.query(({ ctx }) =>
      ctx.session ? { id: ctx.session.id, email: ctx.session.email, name: ctx.session.name } : null,
    ),

    projects: t.router({
      /** The caller's projects, newest first, with the ids of their tasks. */
      list: signedIn.query(async ({ ctx }): Promise<ProjectDto[]> => {
        const projects = await ctx.em.find(
          Project,
          { owner: ctx.session.id },
          { orderBy: { createdAt: 'desc', id: 'desc' } },
        );
        const links = await ctx.em.find(ProjectTask, { project: { $in: projects } });
        return projects.map((project) =>
          toProjectDto(
            project,
            links.filter((link) => link.project.id === project.id).map((link) => link.task.id),
          ),
        );
      }),

      /**
       * A project and its first tasks, atomically: the project row, each task (written by
       * taskpulse, validated and access-checked as `tasks.create` does) and the links commit
       * together or not at all. The tasks' change events (the caller's cached figures, live
       * dashboards) are published once the transaction commits, never if it rolls back.
       */
      createWithTasks: signedIn
        .input(createProjectInput)
        .mutation(async ({ ctx, input }): Promise<{ project: ProjectDto; tasks: TaskDto[] }> => {
          // the user row the project refers to: provisioned from the session, as taskpulse's
          // own procedures do (once per request, remembered for a minute)
          const { caller } = await ctx.taskpulse.authenticate();
          try {
            return await ctx.em.transactional(async (em) => {
              const project = em.create(Project, { owner: caller.id, name: input.name });
              await em.flush();
              const inTransaction = taskpulse.context(caller, { em });
              const tasks: TaskDto[] = [];
              for (const task of input.tasks) {
                const created = await createTask(inTransaction, task);
                em.create(ProjectTask, { project, task: created.id });
                tasks.push(created);
              }
              return {
                project: toProjectDto(
                  project,
                  tasks.map((task) => task.id),
                ),
                tasks,
              };
            });
          } catch (error) {
            if (error instanceof UniqueConstraintViolationException) {
              throw new TRPCError({
                code: 'CONFLICT',
                message: `You already have a project named "${input.name}".`,
              });
            }
            // taskpulse's errors (NOT_FOUND for a team the caller is not in, …) keep their code
            throw toTRPCError(error);
          }
        }),
    }),

    taskpulse: createTaskpulseHostRouter(t, { runtime, context: (ctx) => ctx.taskpulse }),
  });
}

/** The type of the app's router, for its clients (`createTaskpulseClient<AppRouter>(…)`). */
export type AppRouter = ReturnType<typeof createAppRouter>;
