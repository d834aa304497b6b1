export {
  CHANGE_EVENT_TYPES,
  type ChangeEvent,
  type ChangeEventBus,
  type ChangeEventType,
  type ChangeListener,
  uniqueUserIds,
} from './change-event.ts';
export { InProcessChangeEventBus } from './in-process-bus.ts';
export { listenSessionFor } from './listen-sessions.ts';
export {
  CHANGE_CHANNEL,
  type ListenSession,
  PostgresChangeEventBus,
  type PostgresChangeEventBusOptions,
} from './postgres-bus.ts';
