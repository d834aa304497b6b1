import { z } from 'zod';

/**
 * Where taskpulse's core writes what it has to report (a lost connection, Redis down and back,
 * a listener that failed): four methods taking the fields first and the message second, as
 * pino's do, so a pino logger is one as it is.
 *
 * @example
 * ```ts
 * const tp = await createTaskpulse({ database, logger: pino({ name: 'tasks' }) });
 * ```
 */
export interface CoreLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** The levels of {@link createConsoleLogger}, lowest first. */
export type ConsoleLogLevel = (typeof LEVELS)[number];

/**
 * The logger core uses when none is given: `console.debug`/`info`/`warn`/`error`, the message
 * first and the fields after it (left out when empty).
 *
 * @param level the lowest level written. @default 'info'
 */
export function createConsoleLogger(level: ConsoleLogLevel = 'info'): CoreLogger {
  const lowest = LEVELS.indexOf(level);
  const at = (name: ConsoleLogLevel) => (fields: object, message: string) => {
    if (LEVELS.indexOf(name) < lowest) return;
    if (Object.keys(fields).length === 0) console[name](message);
    else console[name](message, fields);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** True when `value` has the four methods of a {@link CoreLogger}. */
export function isCoreLogger(value: unknown): value is CoreLogger {
  if (typeof value !== 'object' || value === null) return false;
  const methods = value as Record<string, unknown>;
  return LEVELS.every((name) => typeof methods[name] === 'function');
}

/** The `logger` option of core's configs. */
export const coreLoggerSchema = z.custom<CoreLogger>(
  isCoreLogger,
  'must have debug, info, warn and error methods taking (fields, message), as a pino logger does',
);

/**
 * A logger that forwards to whichever logger is current: core's parts hold this one, so that
 * the logger can change after they were made (`tp.useLogger()`).
 */
export function forwardingLogger(current: () => CoreLogger): CoreLogger {
  return {
    debug: (fields, message) => current().debug(fields, message),
    info: (fields, message) => current().info(fields, message),
    warn: (fields, message) => current().warn(fields, message),
    error: (fields, message) => current().error(fields, message),
  };
}
