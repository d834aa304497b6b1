export {
  afterCursor,
  cursorSchema,
  cursorTimestamp,
  decodeCursor,
  encodeCursor,
  type KeysetPosition,
  limitSchema,
  type Page,
  toPage,
} from './cursor.ts';
