export {
  CHANGE_EVENT_TYPES,
  type ChangeEvent,
  type ChangeEventBus,
  type ChangeEventType,
  type ChangeListener,
  uniqueUserIds,
} from './change-event.ts';
export { InProcessChangeEventBus } from './in-process-bus.ts';
