import type { ChangeEvent, ChangeEventBus, ChangeListener } from './change-event.ts';

/**
 * A {@link ChangeEventBus} within one process. A listener that throws does not keep the
 * event from the others; the error goes to `onListenerError` (default: `console.error`).
 */
export class InProcessChangeEventBus implements ChangeEventBus {
  readonly #listeners = new Set<ChangeListener>();
  readonly #onListenerError: (error: unknown, event: ChangeEvent) => void;

  constructor(options: { onListenerError?: (error: unknown, event: ChangeEvent) => void } = {}) {
    this.#onListenerError =
      options.onListenerError ??
      ((error) => console.error('taskpulse: a change listener failed', error));
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
