export {
  cursorSchema,
  cursorTimestamp,
  encodeCursor,
  type KeysetPosition,
  limitSchema,
  type Page,
  toPage,
} from './cursor.ts';
