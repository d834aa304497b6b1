/**
 * The MCP endpoint over real HTTP, beside the tRPC API on one server, on the suite's database
 * (PostgreSQL or PGlite), with clients of the official SDK signed in as test users.
 */

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Taskpulse } from '@taskpulse/core';
import {
  createTaskpulseServer,
  type TaskpulseRateLimitOptions,
  type TaskpulseServer,
} from '@taskpulse/trpc-server';
import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import type { TestDatabase } from '../../core/test/databases.ts';
import { call } from '../../trpc-server/test/api.ts';
import { type CapturedLogs, captureLogs } from '../../trpc-server/test/logs.ts';
import { signHs256, TEST_SECRET } from '../../trpc-server/test/tokens.ts';
import { type TaskpulseMcpOptions, taskpulseMcp } from '../src/index.ts';

export interface McpApi {
  readonly tp: Taskpulse;
  readonly server: TaskpulseServer;
  /** The server's base URL; the MCP endpoint is at `${url}/mcp`. */
  readonly url: string;
  readonly logs: CapturedLogs;
}

export interface McpApiOptions {
  mcp?: TaskpulseMcpOptions;
  /** Rate limits of the server. @default off */
  rateLimit?: TaskpulseRateLimitOptions | false;
}

/** Opens the API with `/mcp` on the suite's database in `beforeAll`, listening on 127.0.0.1. */
export function useMcpApi(db: TestDatabase, options: McpApiOptions = {}): McpApi {
  let state: McpApi | undefined;
  beforeAll(async () => {
    const logs = captureLogs();
    const server = createTaskpulseServer({
      taskpulse: db.tp,
      auth: { secret: TEST_SECRET },
      logger: logs.logger,
      production: true,
      rateLimit: options.rateLimit ?? false,
      routes: [taskpulseMcp(options.mcp)],
    });
    const { url } = await server.listen(0, '127.0.0.1');
    state = { tp: db.tp, server, url, logs };
  });
  afterAll(async () => {
    await state?.server.close();
  });
  const get = () => {
    if (!state) throw new Error('the MCP API is not open yet: use it inside a test or hook');
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
  };
}

/** A token for `sub`, with a name and verified email derived from it. */
export const tokenFor = (sub: string) =>
  signHs256({ sub, name: sub, email: `${sub}@example.com`, email_verified: true });

/** An SDK client connected to `${url}/mcp` with `token`, its tools listed (so outputs are validated). */
export async function connectClient(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'taskpulse-tests', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  // the client validates every structuredContent against the outputSchema it listed
  await client.listTools();
  return client;
}

/** Calls a tool and returns its result, typed loosely for assertions. */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallToolResult & { structuredContent?: Record<string, unknown> }> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult & {
    structuredContent?: Record<string, unknown>;
  };
}

/** The structured result of a tool call that must succeed. */
export async function structured<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<T> {
  const result = await callTool(client, name, args);
  if (result.isError) {
    throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  }
  return result.structuredContent as T;
}

/** The text of a tool result. */
export const textOf = (result: CallToolResult): string =>
  result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

/** A tRPC query or mutation answered with data, over the same server. */
export async function trpc<T = unknown>(
  url: string,
  path: string,
  token: string,
  input?: unknown,
  method: 'GET' | 'POST' = 'GET',
): Promise<T> {
  const response = await call(url, path, { token, input, method });
  if (response.status !== 200) {
    throw new Error(`${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body.result.data as T;
}

/** One number from the database: `select count(*)` and the like, through taskpulse's pool. */
export async function countOf(tp: Taskpulse, query: ReturnType<typeof sql<{ n: number }>>) {
  const { rows } = await query.execute(tp.orm.em.fork().getKysely());
  return Number(rows[0]?.n ?? Number.NaN);
}

/** Every row of every table, as text: equal before and after means nothing was written. */
export async function fingerprint(tp: Taskpulse): Promise<string> {
  const tables = [
    'users',
    'tasks',
    'task_shares',
    'teams',
    'team_members',
    'conversations',
    'messages',
  ];
  const parts: string[] = [];
  const db = tp.orm.em.fork().getKysely();
  for (const table of tables) {
    const { rows } = await sql<{
      r: string;
    }>`select coalesce(string_agg(t::text, '|' order by t::text), '') as r from ${sql.table(table)} t`.execute(
      db,
    );
    parts.push(`${table}:${rows[0]?.r ?? ''}`);
  }
  return parts.join('\n');
}

export { sql };
