import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Taskpulse, UserClaims } from '@taskpulse/core';
import { createTaskpulseMcpServer } from '../server/create-server.ts';
import { type ObservedOperation, observeOperations } from '../server/observe.ts';
import { TASKPULSE_TOOLS } from '../tools/index.ts';

/** Where {@link serveStdio} reports what it does; pino's logger fits. */
export interface StdioLogger {
  debug(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Options of {@link serveStdio}. */
export interface ServeStdioOptions {
  /** The open taskpulse. It stays open when the session ends: its owner closes it. */
  taskpulse: Taskpulse;
  /** The one user the local agent acts for; provisioned (created or updated) at start. */
  user: UserClaims;
  /** Where operations and tool failures are logged (never stdout, which is the protocol's). */
  logger?: StdioLogger;
  /** Called with every MCP operation once answered. */
  onOperation?: (operation: ObservedOperation) => void;
  /** The streams to speak MCP on. @default process.stdin and process.stdout */
  stdin?: Readable;
  stdout?: Writable;
}

/** A running stdio session. */
export interface StdioSession {
  /** Resolves when the client goes away (stdin ends) or {@link close} is called. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves taskpulse's MCP tools over stdio to a local agent (Claude Desktop, Cursor, any
 * client that launches a command), acting for one configured user: the same tools, checks and
 * change events as over HTTP, so that the user's open dashboards move when the agent writes.
 *
 * @example
 * ```ts
 * const tp = await createTaskpulse({ database: { url: process.env.DATABASE_URL! }, migrate: true, changeEvents: 'postgres' });
 * const session = await serveStdio({ taskpulse: tp, user: { id: 'auth0|alice' } });
 * await session.closed;
 * ```
 */
export async function serveStdio(options: ServeStdioOptions): Promise<StdioSession> {
  const { taskpulse, logger } = options;
  const user = await taskpulse.provisionUser(options.user);
  const server = createTaskpulseMcpServer({
    taskpulse,
    context: taskpulse.context({ id: user.id }),
    onInternalError: (error, tool) => logger?.error({ err: error, tool }, 'mcp tool failed'),
  });
  const transport = new StdioServerTransport(options.stdin, options.stdout);
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  server.onclose = () => resolveClosed();
  await server.connect(transport);
  // the SDK's stdio transport does not notice the end of stdin by itself
  (options.stdin ?? process.stdin).once('end', () => {
    void server.close();
  });
  observeOperations(
    transport,
    (operation) => {
      options.onOperation?.(operation);
      logger?.debug(
        { ...operation, durationMs: Math.round(operation.durationMs) },
        'mcp operation',
      );
    },
    { tools: new Set(TASKPULSE_TOOLS.map((tool) => tool.name)) },
  );
  return {
    closed,
    close: async () => {
      await server.close();
      await closed;
    },
  };
}
