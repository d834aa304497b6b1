/**
 * What flows from the server's router to the client, checked by the compiler: `pnpm test`
 * type-checks this file (`tsc --noEmit` over the package), and vitest runs it.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { createTaskpulseClient, type TaskpulseClient } from '../client/create-client.ts';
import { isTaskpulseClientError } from '../errors/error-code.ts';
import type {
  Activity,
  LiveSnapshot,
  Page,
  RouterInputs,
  RouterOutputs,
  Statistics,
  TaskDto,
  TaskpulseIssue,
  TrendDay,
} from './types.ts';

// a client is made, never used to call: its methods are only type-checked here
const made = createTaskpulseClient({ url: 'http://127.0.0.1:9', retry: false });
const client = (): TaskpulseClient => made;

describe('router types on the client', () => {
  it('types tasks.create: its input, and a task as its output', () => {
    expectTypeOf<RouterInputs['tasks']['create']>().toEqualTypeOf<{
      title: string;
      description?: string | null | undefined;
      status?: 'pending' | 'completed' | undefined;
      priority?: 'low' | 'medium' | 'high' | undefined;
      dueAt?: string | Date | null | undefined;
      teamId?: string | null | undefined;
    }>();
    expectTypeOf<RouterOutputs['tasks']['create']>().toEqualTypeOf<TaskDto>();
    expectTypeOf<TaskDto>().toEqualTypeOf<{
      id: string;
      userId: string;
      teamId: string | null;
      title: string;
      description: string | null;
      status: 'pending' | 'completed';
      priority: 'low' | 'medium' | 'high';
      dueAt: string | null;
      createdAt: string;
      updatedAt: string;
      completedAt: string | null;
      version: number;
      access: 'view' | 'edit' | 'owner';
    }>();
    expectTypeOf(client().tasks.create.mutate).returns.resolves.toEqualTypeOf<TaskDto>();
  });

  it('types tasks.list: filters in, a page of tasks out', () => {
    expectTypeOf<RouterOutputs['tasks']['list']>().toEqualTypeOf<Page<TaskDto>>();
    expectTypeOf<Extract<RouterInputs['tasks']['list'], object>['scope']>().toEqualTypeOf<
      'owned' | 'shared' | 'team' | 'all' | undefined
    >();
    expectTypeOf<Extract<RouterInputs['tasks']['list'], object>['limit']>().toEqualTypeOf<
      number | undefined
    >();
  });

  it('types the dashboard figures', () => {
    expectTypeOf<RouterOutputs['dashboard']['statistics']>().toEqualTypeOf<Statistics>();
    expectTypeOf<Statistics>().toEqualTypeOf<{
      total: number;
      pending: number;
      completed: number;
      shared: number;
      overdue: number;
    }>();
    expectTypeOf<Activity['window']['today']>().toEqualTypeOf<{ from: string; to: string }>();
    expectTypeOf<RouterOutputs['dashboard']['trend']>().toEqualTypeOf<TrendDay[]>();
    // no input needed
    expectTypeOf(client().dashboard.statistics.query).toBeCallableWith();
  });

  it('types dashboard.live: its input, and each emission as an event id and a snapshot', () => {
    expectTypeOf<LiveSnapshot>().toEqualTypeOf<{ statistics: Statistics; activity: Activity }>();
    // type-checked, never called
    const subscribe = () =>
      client().dashboard.live.subscribe(
        { timeZone: 'Europe/Berlin', weekStartsOn: 0 },
        {
          onData: (event) => {
            expectTypeOf(event.id).toEqualTypeOf<string>();
            expectTypeOf(event.data).toEqualTypeOf<LiveSnapshot>();
          },
        },
      );
    expectTypeOf(subscribe).toBeFunction();
  });

  it('types the error data: issues and the retry-after hint', () => {
    const narrow = (error: unknown) => {
      if (isTaskpulseClientError(error, 'BAD_REQUEST')) {
        expectTypeOf(error.data.code).toEqualTypeOf<'BAD_REQUEST'>();
        expectTypeOf(error.data.issues).toEqualTypeOf<TaskpulseIssue[] | undefined>();
        expectTypeOf<TaskpulseIssue>().toEqualTypeOf<{
          path: (string | number)[];
          message: string;
        }>();
      }
      if (isTaskpulseClientError(error, 'TOO_MANY_REQUESTS')) {
        expectTypeOf(error.data.retryAfterMs).toEqualTypeOf<number | undefined>();
      }
    };
    expectTypeOf(narrow).toBeFunction();
  });

  it('refuses a wrong input and a misspelt procedure at compile time', () => {
    const typed = () => {
      const c = client();
      // @ts-expect-error title must be a string
      void c.tasks.create.mutate({ title: 42 });
      // @ts-expect-error priority has no such value
      void c.tasks.create.mutate({ title: 'x', priority: 'urgent' });
      // @ts-expect-error a query is not a mutation
      void c.tasks.list.mutate({});
      // @ts-expect-error no such procedure (tasks.create)
      void c.tasks.craete.mutate({ title: 'x' });
      // @ts-expect-error no such router (dashboard)
      void c.dashbord.statistics.query();
      // @ts-expect-error live takes no unknown keys
      c.dashboard.live.subscribe({ timezone: 'UTC' }, {});
    };
    expectTypeOf(typed).toBeFunction();
    expectTypeOf(createTaskpulseClient).returns.toEqualTypeOf<TaskpulseClient>();
  });
});
