#!/usr/bin/env node
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTaskpulse, type DatabaseConfigInput } from '@taskpulse/core';
import { pino } from 'pino';
import { serveStdio } from './stdio/serve-stdio.ts';

const USAGE = `taskpulse-mcp: taskpulse's MCP tools over stdio, acting for one user.

Usage: taskpulse-mcp --user <id> [--email <email>] [--name <name>]
                     [--database-url <url> | --data-dir <folder>]

  --user, TASKPULSE_MCP_USER          the user's id (their identity provider's sub); required
  --email, TASKPULSE_MCP_EMAIL        their email, kept on the user row as verified
  --name, TASKPULSE_MCP_NAME          their name, kept on the user row
  --database-url, DATABASE_URL        a PostgreSQL server; change events then reach other
                                      taskpulse servers on it (their live dashboards)
  --data-dir, TASKPULSE_DATA_DIR      else an embedded PGlite database in this folder
                                      (default ~/.taskpulse/data); one process at a time
Logs go to stderr (TASKPULSE_LOG_LEVEL, default info); stdout speaks MCP.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      user: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      'database-url': { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const option = (name: string, env: string) => {
  const value = values[name] ?? process.env[env];
  return typeof value === 'string' && value !== '' ? value : undefined;
};
const userId = option('user', 'TASKPULSE_MCP_USER');
if (!userId) fail('Name the user the agent acts for: --user <id> (or TASKPULSE_MCP_USER).');
const databaseUrl = option('database-url', 'DATABASE_URL');
const dataDir = option('data-dir', 'TASKPULSE_DATA_DIR') ?? join(homedir(), '.taskpulse', 'data');
const database: DatabaseConfigInput = databaseUrl
  ? { url: databaseUrl }
  : { embedded: { dataDir } };

const logger = pino(
  { name: 'taskpulse-mcp', level: process.env.TASKPULSE_LOG_LEVEL ?? 'info' },
  pino.destination(2),
);

const taskpulse = await createTaskpulse({
  database,
  migrate: true,
  changeEvents: databaseUrl ? 'postgres' : 'local',
}).catch((error: unknown) => {
  logger.error({ err: error }, 'cannot open the database');
  process.exit(1);
});
const session = await serveStdio({
  taskpulse,
  user: {
    id: userId,
    email: option('email', 'TASKPULSE_MCP_EMAIL') ?? null,
    // the operator who starts the agent vouches for the address
    emailVerified: true,
    name: option('name', 'TASKPULSE_MCP_NAME') ?? null,
  },
  logger,
}).catch(async (error: unknown) => {
  logger.error({ err: error }, 'cannot start the MCP session');
  await taskpulse.close();
  process.exit(1);
});
logger.info(
  { user: userId, database: databaseUrl ? 'postgres' : `pglite ${dataDir}` },
  'taskpulse MCP server on stdio',
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void session.close());
}
await session.closed;
await taskpulse.close();
