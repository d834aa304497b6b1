import { TRPCError } from '@trpc/server';

/** The open `dashboard.live` streams of one runtime, per user, bounded. */
export interface LiveStreamSlots {
  /** The most streams one user may hold open at once. */
  readonly maxPerUser: number;
  /**
   * Takes a slot for one of `userId`'s streams, or throws `TOO_MANY_REQUESTS` when the user
   * holds `maxPerUser` already; the returned function frees it (once, however often called).
   */
  acquire(userId: string): () => void;
  /** How many streams `userId` holds open. */
  openFor(userId: string): number;
}

/** Slots for {@link LiveStreamSlots}; `onChange(+1 | -1)` follows every stream opened and closed. */
export function createLiveStreamSlots(
  maxPerUser: number,
  onChange: (delta: 1 | -1) => void,
): LiveStreamSlots {
  // only users with an open stream have an entry, so that the map stays as small as the streams
  const open = new Map<string, number>();
  return {
    maxPerUser,
    acquire: (userId) => {
      const held = open.get(userId) ?? 0;
      if (held >= maxPerUser) {
        throw new TRPCError({
          code: 'TOO_MANY_REQUESTS',
          message: `Too many live streams: this user has ${held} dashboard.live streams open, at most ${maxPerUser} are allowed. Close one (or reuse one per app) before opening another.`,
        });
      }
      open.set(userId, held + 1);
      onChange(1);
      let freed = false;
      return () => {
        if (freed) return;
        freed = true;
        const left = (open.get(userId) ?? 1) - 1;
        if (left > 0) open.set(userId, left);
        else open.delete(userId);
        onChange(-1);
      };
    },
    openFor: (userId) => open.get(userId) ?? 0,
  };
}
