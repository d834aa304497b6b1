import {
  createShare,
  createShareInput,
  deletedShareSchema,
  deleteShare,
  deleteShareInput,
  listShares,
  listSharesInput,
  pageSchema,
  shareSchema,
} from '@taskpulse/core';
import { count, listed, nextPageHint, shareLine } from './summaries.ts';
import { defineTool, READ_ONLY, withIdempotencyKey, writes } from './tool.ts';

export const shareTask = defineTool({
  name: 'share-task',
  title: 'Share a task',
  description:
    "Shares one of the user's own tasks with another user, named by userId or by email (exactly one), at view (they see it) or edit (they may also change it). Sharing again with the same user changes the permission. Only the task's owner shares it; the other user must have signed in once.",
  input: withIdempotencyKey(createShareInput),
  output: shareSchema,
  annotations: writes({ destructive: false, idempotent: true }),
  run: async ({ context }, { idempotencyKey, ...input }) => {
    const share = await createShare(context, input, { idempotencyKey });
    return { data: share, summary: `Shared task ${share.taskId}:\n${shareLine(share)}` };
  },
});

export const unshareTask = defineTool({
  name: 'unshare-task',
  title: 'Stop sharing a task',
  description:
    "Stops sharing one of the user's own tasks with a user (by their user id, as find-shares lists it): they no longer see it. Only the task's owner changes its shares.",
  input: withIdempotencyKey(deleteShareInput),
  output: deletedShareSchema,
  annotations: writes({ destructive: true, idempotent: false }),
  run: async ({ context }, { idempotencyKey, ...input }) => {
    const removed = await deleteShare(context, input, { idempotencyKey });
    return {
      data: removed,
      summary: `Task ${removed.taskId} is no longer shared with ${removed.userId}.`,
    };
  },
});

export const findShares = defineTool({
  name: 'find-shares',
  title: 'Find who a task is shared with',
  description:
    'Lists the users a task is shared with and at which permission, oldest share first, a page at a time. When nextCursor is not null, call again with the same taskId and that cursor for the next page.',
  input: listSharesInput,
  output: pageSchema(shareSchema),
  annotations: READ_ONLY,
  run: async ({ context }, input) => {
    const page = await listShares(context, input);
    const summary = [
      page.items.length === 0
        ? 'The task is shared with nobody.'
        : `Shared with ${count(page.items.length, 'user')}:`,
      ...listed(page.items, shareLine),
      nextPageHint('find-shares', page.nextCursor),
    ].join('\n');
    return { data: page, summary };
  },
});
