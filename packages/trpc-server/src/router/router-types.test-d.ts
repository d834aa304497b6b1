import type { Caller, TaskpulseContext, TaskpulseIssue, UserDto } from '@taskpulse/core';
import type { inferRouterError, inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { describe, expectTypeOf, it } from 'vitest';
import type { testProcedures } from '../../test/procedures.ts';
import type { TaskpulseLogger } from '../logging/index.ts';
import type { TaskpulseApiRootTypes, TaskpulseApiRouter } from './api-router.ts';
import type { TaskpulseBuilders } from './builders.ts';
import type { Health } from './health.ts';
import type { createTaskpulseRouter, TaskpulseRouter } from './taskpulse-router.ts';

type Extended = TaskpulseRouter<ReturnType<typeof testProcedures>>;

describe('router types', () => {
  it('gives clients the outputs, inputs and error data of every procedure', () => {
    expectTypeOf<inferRouterOutputs<TaskpulseRouter>['me']>().toEqualTypeOf<UserDto>();
    expectTypeOf<inferRouterOutputs<TaskpulseRouter>['health']>().toEqualTypeOf<Health>();
    expectTypeOf<inferRouterInputs<TaskpulseRouter>['me']>().toEqualTypeOf<void>();
    expectTypeOf<inferRouterError<TaskpulseRouter>['data']['issues']>().toEqualTypeOf<
      TaskpulseIssue[] | undefined
    >();
    expectTypeOf<inferRouterError<TaskpulseRouter>['data']['retryAfterMs']>().toEqualTypeOf<
      number | undefined
    >();
    expectTypeOf<
      ReturnType<typeof createTaskpulseRouter<Record<never, never>>>
    >().toEqualTypeOf<TaskpulseRouter>();
  });

  it('gives clients the same procedures through TaskpulseApiRouter, with an opaque context', () => {
    expectTypeOf<inferRouterInputs<TaskpulseApiRouter>>().toEqualTypeOf<
      inferRouterInputs<TaskpulseRouter>
    >();
    expectTypeOf<inferRouterOutputs<TaskpulseApiRouter>>().toEqualTypeOf<
      inferRouterOutputs<TaskpulseRouter>
    >();
    expectTypeOf<inferRouterError<TaskpulseApiRouter>>().toEqualTypeOf<
      inferRouterError<TaskpulseRouter>
    >();
    expectTypeOf<TaskpulseApiRootTypes['ctx']>().toEqualTypeOf<object>();
    expectTypeOf<
      inferRouterOutputs<TaskpulseApiRouter<ReturnType<typeof testProcedures>>>['test']['echo']
    >().toEqualTypeOf<{ title: string; by: string }>();
  });

  it('keeps the types of procedures added with extend, nested routers included', () => {
    expectTypeOf<inferRouterOutputs<Extended>['test']['echo']>().toEqualTypeOf<{
      title: string;
      by: string;
    }>();
    expectTypeOf<inferRouterInputs<Extended>['test']['echo']>().toEqualTypeOf<{
      title: string;
      nested: { count: number };
    }>();
    expectTypeOf<inferRouterOutputs<Extended>['me']>().toEqualTypeOf<UserDto>();
  });

  it('gives resolvers the taskpulse context', () => {
    // type-level only: never called
    const procedures = (b: TaskpulseBuilders) => ({
      open: b.public.query(({ ctx }) => {
        expectTypeOf(ctx.requestId).toEqualTypeOf<string>();
        expectTypeOf(ctx.ip).toEqualTypeOf<string | undefined>();
        expectTypeOf(ctx.logger).toEqualTypeOf<TaskpulseLogger>();
        // @ts-expect-error no caller before authentication
        ctx.caller;
        return null;
      }),
      closed: b.authed.query(({ ctx }) => {
        expectTypeOf(ctx.taskpulse).toEqualTypeOf<TaskpulseContext>();
        expectTypeOf(ctx.caller).toEqualTypeOf<Caller>();
        expectTypeOf(ctx.user).toEqualTypeOf<UserDto>();
        return null;
      }),
    });
    expectTypeOf(procedures).toBeFunction();
  });
});
