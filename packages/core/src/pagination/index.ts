export {
  afterCursor,
  cursorSchema,
  cursorTimestamp,
  decodeCursor,
  encodeCursor,
  type KeysetPosition,
  limitSchema,
  type Page,
  pageFields,
  toPage,
} from './cursor.ts';
