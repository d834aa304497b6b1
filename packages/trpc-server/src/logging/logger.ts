import { type Logger, pino } from 'pino';

/**
 * A pino logger, or anything with pino's interface. Every line taskpulse writes goes through
 * one, so that an app routes them with its own.
 */
export type TaskpulseLogger = Logger;

/**
 * The logger used when none is given: JSON lines on stdout at `info` (or `TASKPULSE_LOG_LEVEL`),
 * named `taskpulse`, with credentials redacted should a caller ever log them.
 */
export function createDefaultLogger(): TaskpulseLogger {
  return pino({
    name: 'taskpulse',
    level: process.env.TASKPULSE_LOG_LEVEL ?? 'info',
    redact: {
      paths: ['authorization', 'token', '*.authorization', '*.token', 'headers.authorization'],
      censor: '[redacted]',
    },
  });
}
