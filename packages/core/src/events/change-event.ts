import type { QueryExecutorProvider } from 'kysely';

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
