import type { QueryExecutorProvider } from 'kysely';
import { z } from 'zod';

/**
 * What a committed write changed. `resync` is not a write: a transport publishes it when it
 * may have missed events (a lost connection), meaning "treat every user as affected".
 */
export const CHANGE_EVENT_TYPES = [
  'task.created',
  'task.updated',
  'task.deleted',
  'share.created',
  'share.updated',
  'share.deleted',
  'team.created',
  'team.member_added',
  'team.member_updated',
  'team.member_removed',
  'conversation.created',
  'message.appended',
  'user.deleted',
  'resync',
] as const;

/** One of {@link CHANGE_EVENT_TYPES}. */
export type ChangeEventType = (typeof CHANGE_EVENT_TYPES)[number];

/**
 * Published once per committed write, after the commit, never for a rolled-back one. The
 * statistics cache and live subscriptions use `affectedUserIds` to know whose figures and
 * lists may have changed.
 */
export interface ChangeEvent {
  type: ChangeEventType;
  /** The user who made the change. */
  actorId: string;
  /**
   * Every user whose lists or figures the change may touch: the task's owner, its share
   * recipients and its team's members (before and after the change), or the chat's owner;
   * for `user.deleted`, the user and everyone they shared with, received shares from or shared
   * a team with.
   * Sorted, without duplicates.
   */
  affectedUserIds: string[];
  /** The ids of what changed, where they apply. */
  taskId?: string;
  teamId?: string;
  conversationId?: string;
  /** When the change was committed (the caller's clock). */
  at: Date;
}

/**
 * A change event as it travels between instances (a NOTIFY payload): JSON, with `at` as an
 * ISO-8601 instant. Parsing gives back a {@link ChangeEvent}.
 */
export const changeEventWireSchema = z
  .object({
    type: z.enum(CHANGE_EVENT_TYPES),
    actorId: z.string(),
    affectedUserIds: z.array(z.string()),
    taskId: z.string().optional(),
    teamId: z.string().optional(),
    conversationId: z.string().optional(),
    at: z.iso.datetime({ offset: true }).transform((at) => new Date(at)),
  })
  .strict() satisfies z.ZodType<ChangeEvent, unknown>;

/**
 * Parses a message from another instance (a NOTIFY payload, a Redis message): JSON, then
 * `schema`: the value, or the reason it is not what `schema` describes.
 */
export function parseMessage<T>(
  schema: z.ZodType<T, unknown>,
  text: string,
): { ok: true; value: T } | { ok: false; error: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error };
  }
  const result = schema.safeParse(json);
  return result.success ? { ok: true, value: result.data } : { ok: false, error: result.error };
}

/** Something that receives change events. */
export type ChangeListener = (event: ChangeEvent) => void;

/** Publishes change events to subscribers. Small on purpose: transports wrap it. */
export interface ChangeEventBus {
  /** Delivers a committed change to this process's listeners. */
  publish(event: ChangeEvent): void;
  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: ChangeListener): () => void;
  /**
   * Called inside the write's transaction, before the commit, so that a transport can send
   * the event with the transaction (PostgreSQL NOTIFY is delivered on commit only, and never
   * for a rolled-back transaction). Optional.
   */
  stage?(db: QueryExecutorProvider, event: ChangeEvent): Promise<void>;
}

/** Sorted, deduplicated user ids. */
export function uniqueUserIds(ids: Iterable<string | null | undefined>): string[] {
  return [...new Set([...ids].filter((id): id is string => typeof id === 'string'))].sort();
}
