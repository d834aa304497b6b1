import type { TaskpulseApiRouter as ServerApiRouter } from '@taskpulse/trpc-server';
import type { inferRouterError, inferRouterInputs, inferRouterOutputs } from '@trpc/server';

/**
 * The type of the taskpulse API: every procedure of a standalone taskpulse server, with its
 * input, output and error shape. The client's declarations carry it in full, so it needs no
 * server package to type-check.
 */
export type TaskpulseApiRouter = ServerApiRouter;

/**
 * The input of every procedure, by path, as the caller writes it.
 *
 * @example
 * ```ts
 * const input: RouterInputs['tasks']['create'] = { title: 'Write the report', priority: 'high' };
 * ```
 */
export type RouterInputs = inferRouterInputs<TaskpulseApiRouter>;

/**
 * The output of every procedure, by path, as it arrives (dates are ISO-8601 strings).
 *
 * @example
 * ```ts
 * type Stats = RouterOutputs['dashboard']['statistics'];
 * ```
 */
export type RouterOutputs = inferRouterOutputs<TaskpulseApiRouter>;

/** The error shape every taskpulse procedure answers with (`message`, `code`, `data`). */
export type TaskpulseErrorShape = inferRouterError<TaskpulseApiRouter>;

/** The `data` of a taskpulse error: tRPC code, HTTP status, path, `issues`, `retryAfterMs`. */
export type TaskpulseErrorData = TaskpulseErrorShape['data'];

/** One invalid field of a `BAD_REQUEST`: its path in the input and what is wrong with it. */
export type TaskpulseIssue = NonNullable<TaskpulseErrorData['issues']>[number];

/** `dashboard.statistics`: owned tasks, by status; tasks shared with me; overdue owned tasks. */
export type Statistics = RouterOutputs['dashboard']['statistics'];

/** `dashboard.activity`: what was created and completed today and this week, and the window used. */
export type Activity = RouterOutputs['dashboard']['activity'];

/** The exact instants `dashboard.activity` counted over (ISO-8601), in its time zone. */
export type TimeWindow = Activity['window'];

/** `dashboard.breakdown`: owned tasks by status and by priority. */
export type Breakdown = RouterOutputs['dashboard']['breakdown'];

/** `dashboard.shared`: tasks shared with me by permission, and owned tasks I shared. */
export type SharedStats = RouterOutputs['dashboard']['shared'];

/** One local day of `dashboard.trend`. */
export type TrendDay = RouterOutputs['dashboard']['trend'][number];

/** The input of `dashboard.activity` and `dashboard.live`: `timeZone` and `weekStartsOn`. */
export type ActivityInput = NonNullable<RouterInputs['dashboard']['activity']>;

/** The input of `dashboard.trend`: `days` and `timeZone`. */
export type TrendInput = NonNullable<RouterInputs['dashboard']['trend']>;

/** One emission of `dashboard.live`, with its event id (`id`) and figures (`data`). */
export type LiveEvent =
  RouterOutputs['dashboard']['live'] extends AsyncIterable<infer TEvent> ? TEvent : never;

/** What each emission of `dashboard.live` carries: `{ statistics, activity }`. */
export type LiveSnapshot = LiveEvent extends { data: infer TData } ? TData : never;

/** A task, as every procedure returns it (with `access`: what the caller may do with it). */
export type TaskDto = RouterOutputs['tasks']['get'];

/** A page of `tasks.list`, `conversations.list` or `messages.list`, with the next page's cursor. */
export type Page<TItem> = { items: TItem[]; nextCursor: string | null };

/** The calling user, as `me` returns it. */
export type UserDto = RouterOutputs['me'];

/** A task share, as `shares.*` return it. */
export type ShareDto = RouterOutputs['shares']['create'];

/** A team, as `teams.*` return it. */
export type TeamDto = RouterOutputs['teams']['create'];

/** A conversation of the AI-chat history. */
export type ConversationDto = RouterOutputs['conversations']['create'];

/** A message of a conversation. */
export type MessageDto = RouterOutputs['messages']['append'];

/** A task's status. */
export type TaskStatus = TaskDto['status'];

/** A task's priority. */
export type TaskPriority = TaskDto['priority'];

/** The filters and page of `tasks.list`. */
export type ListTasksInput = NonNullable<RouterInputs['tasks']['list']>;
