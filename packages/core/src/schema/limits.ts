/**
 * The enumerations and length limits of the data model. The database enforces every one of
 * them with a check constraint, and the zod input schemas reuse the same constants, so the
 * two can never drift apart.
 */
export const TASK_STATUSES = ['pending', 'completed'] as const;
export const TASK_PRIORITIES = ['low', 'medium', 'high'] as const;
export const SHARE_PERMISSIONS = ['view', 'edit'] as const;
export const TEAM_ROLES = ['owner', 'admin', 'member'] as const;
export const MESSAGE_ROLES = ['user', 'assistant', 'system', 'tool'] as const;

/** A task's status. */
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** A task's priority. */
export type TaskPriority = (typeof TASK_PRIORITIES)[number];
/** What a share lets its recipient do with the task. */
export type SharePermission = (typeof SHARE_PERMISSIONS)[number];
/** A member's role in a team. */
export type TeamRole = (typeof TEAM_ROLES)[number];
/** Who wrote a chat message. */
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** Length limits, in characters (Unicode code points, as PostgreSQL's `char_length` counts). */
export const LIMITS = {
  taskTitle: { min: 1, max: 200 },
  taskDescription: { max: 10_000 },
  teamName: { min: 1, max: 100 },
  conversationTitle: { max: 200 },
  messageContent: { min: 1, max: 100_000 },
  userEmail: { max: 320 },
  userName: { max: 200 },
  userId: { min: 1, max: 255 },
  /** An `Idempotency-Key`: 1–255 visible ASCII characters (the IETF httpapi draft). */
  idempotencyKey: { min: 1, max: 255 },
} as const;
