/** A pino logger that keeps every line it writes, parsed, for tests to inspect. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { TaskpulseLogger } from '../src/index.ts';

export interface CapturedLogs {
  readonly logger: TaskpulseLogger;
  /** Every line written so far, parsed from JSON. */
  readonly lines: Record<string, unknown>[];
  /** Every line written so far, as written. */
  readonly raw: string[];
  clear(): void;
}

export function captureLogs(level: pino.LevelWithSilent = 'debug'): CapturedLogs {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  // synchronous enough for tests: pino writes each line to the stream as it logs
  const logger = pino({ level }, stream);
  return {
    logger,
    lines,
    raw,
    clear: () => {
      lines.length = 0;
      raw.length = 0;
    },
  };
}
