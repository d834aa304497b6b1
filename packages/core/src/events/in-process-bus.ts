import { type CoreLogger, createConsoleLogger } from '../logging/index.ts';
import type { ChangeEvent, ChangeEventBus, ChangeListener } from './change-event.ts';

/**
 * A {@link ChangeEventBus} within one process. A listener that throws does not keep the
 * event from the others; the error goes to `onListenerError`, or else to `logger.error`.
 */
export class InProcessChangeEventBus implements ChangeEventBus {
  readonly #listeners = new Set<ChangeListener>();
  readonly #onListenerError: (error: unknown, event: ChangeEvent) => void;

  constructor(
    options: {
      onListenerError?: (error: unknown, event: ChangeEvent) => void;
      /** @default a console logger */
      logger?: CoreLogger;
    } = {},
  ) {
    const logger = options.logger ?? createConsoleLogger();
    this.#onListenerError =
      options.onListenerError ??
      ((error, event) =>
        logger.error({ err: error, event: event.type }, 'taskpulse: a change listener failed'));
  }

  publish(event: ChangeEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
  }

  subscribe(listener: ChangeListener): () => void {
    // wrap so that one function subscribed twice counts twice and unsubscribes once each
    const entry: ChangeListener = (event) => listener(event);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** How many listeners are subscribed. */
  get listenerCount(): number {
    return this.#listeners.size;
  }
}
