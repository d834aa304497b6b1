/** Small helpers for domain tests: users, contexts with a recorded event log. */
import type { TaskpulseContext } from '../src/context.ts';
import type { Taskpulse } from '../src/create-taskpulse.ts';
import type { ChangeEvent } from '../src/events/index.ts';
import { InProcessChangeEventBus } from '../src/events/index.ts';

/** Creates users (id = name, a verified `<id>@example.com`) directly, as if they had signed in once. */
export async function createUsers(tp: Taskpulse, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const values = ids.map(() => '(?, ?, true, ?)').join(', ');
  await tp.fork().execute(
    `insert into users (id, email, email_verified, name) values ${values} on conflict (id) do nothing`,
    ids.flatMap((id) => [id, `${id}@example.com`, id]),
  );
}

/** A caller's context plus the events its writes published. */
export interface Actor {
  ctx: TaskpulseContext;
  events: ChangeEvent[];
}

/**
 * The context of `userId`, with its own event bus whose events are recorded, and a clock
 * (the real one unless `now` is given).
 */
export function actor(tp: Taskpulse, userId: string, now?: () => Date): Actor {
  const events: ChangeEvent[] = [];
  const bus = new InProcessChangeEventBus();
  bus.subscribe((event) => events.push(event));
  return {
    ctx: { em: tp.fork(), caller: { id: userId }, events: bus, now: now ?? (() => new Date()) },
    events,
  };
}

/** A context for `userId` (fresh entity manager, shared event bus of `tp`). */
export function as(tp: Taskpulse, userId: string, now?: () => Date): TaskpulseContext {
  return { ...tp.context({ id: userId }), ...(now ? { now } : {}) };
}

/** Runs `fn` and returns the TaskpulseError code it failed with, or 'ok'. */
export async function outcome(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    throw error;
  }
}

/** A clock that moves `stepMs` forward on every reading, from `start`. */
export function steppingClock(start: string, stepMs = 1_000): () => Date {
  let tick = Date.parse(start);
  return () => {
    tick += stepMs;
    return new Date(tick);
  };
}
