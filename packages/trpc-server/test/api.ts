/**
 * A taskpulse API over real HTTP on a fresh PostgreSQL database, for the HTTP tests of this
 * package: the server listens on 127.0.0.1, its logs are captured, and `call()` speaks
 * tRPC's plain JSON wire format the way curl would.
 */

import { createTaskpulse, type Taskpulse, type TaskpulseConfig } from '@taskpulse/core';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase } from '../../core/test/databases.ts';
import {
  createTaskpulseServer,
  type TaskpulseServer,
  type TaskpulseServerOptions,
} from '../src/index.ts';
import { type CapturedLogs, captureLogs } from './logs.ts';
import { TEST_SECRET } from './tokens.ts';

export { postgresAvailable } from '../../core/test/databases.ts';

export interface TestApi {
  readonly tp: Taskpulse;
  readonly server: TaskpulseServer;
  readonly url: string;
  readonly logs: CapturedLogs;
  /** The database URL the taskpulse instance uses. */
  readonly databaseUrl: string;
}

export interface TestApiOptions {
  /** The server's options. @default HS256 with TEST_SECRET, the captured logger */
  server?: (tp: Taskpulse, logs: CapturedLogs) => TaskpulseServerOptions;
  /** Options of createTaskpulse beyond the database (a function is called when the API opens). */
  taskpulse?: Partial<TaskpulseConfig> | (() => Partial<TaskpulseConfig>);
  /** Reach the database through this URL instead (a TCP proxy in front of it). */
  databaseUrl?: (url: string) => Promise<string> | string;
  /** The level of the captured logs. @default 'debug' */
  logLevel?: 'debug' | 'info' | 'warn';
}

/** Opens a fresh database and a listening server in `beforeAll`; closes both in `afterAll`. */
export function useTestApi(options: TestApiOptions = {}): TestApi {
  let state: TestApi | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    const logs = captureLogs(options.logLevel);
    const url = options.databaseUrl ? await options.databaseUrl(database.url) : database.url;
    const tp = await createTaskpulse({
      database: { url },
      migrate: true,
      ...(typeof options.taskpulse === 'function' ? options.taskpulse() : options.taskpulse),
    });
    const server = createTaskpulseServer(
      options.server?.(tp, logs) ?? {
        taskpulse: tp,
        auth: { secret: TEST_SECRET },
        logger: logs.logger,
      },
    );
    const { url: base } = await server.listen(0, '127.0.0.1');
    state = { tp, server, url: base, logs, databaseUrl: database.url };
  });
  afterAll(async () => {
    await state?.server.close();
    await state?.tp.close();
    await drop?.();
  });
  const get = (): TestApi => {
    if (!state) throw new Error('the test API is not open yet: use it inside a test or hook');
    return state;
  };
  return {
    get tp() {
      return get().tp;
    },
    get server() {
      return get().server;
    },
    get url() {
      return get().url;
    },
    get logs() {
      return get().logs;
    },
    get databaseUrl() {
      return get().databaseUrl;
    },
  };
}

export interface CallResult {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON as they please
  readonly body: any;
}

/** A query (GET) or mutation (POST) in tRPC's plain JSON wire format. */
export async function call(
  base: string,
  path: string,
  options: {
    token?: string;
    input?: unknown;
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
  } = {},
): Promise<CallResult> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let url = `${base}/trpc/${path}`;
  let body: string | undefined;
  if (options.input !== undefined) {
    if (method === 'GET') url += `?input=${encodeURIComponent(JSON.stringify(options.input))}`;
    else {
      body = JSON.stringify(options.input);
      headers['content-type'] = 'application/json';
    }
  }
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}
