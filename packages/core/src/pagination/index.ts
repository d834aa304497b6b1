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
  pageSchema,
  toPage,
} from './cursor.ts';
