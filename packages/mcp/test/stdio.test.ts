/**
 * The `taskpulse-mcp` bin over stdio, as a desktop agent launches it: one configured user, the
 * database from DATABASE_URL or a PGlite folder, logs on stderr and only the protocol on stdout.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createTaskpulse, type LiveEmission, type Taskpulse } from '@taskpulse/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable } from '../../core/test/databases.ts';
import { structured, textOf } from './harness.ts';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const nodeArgs = ['--conditions=@taskpulse/source', bin];

/** The environment of the bin: this process's PATH and HOME, and the given variables. */
const envOf = (vars: Record<string, string>): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? tmpdir(),
  TASKPULSE_LOG_LEVEL: 'debug',
  ...vars,
});

/** Launches the bin as an agent would and connects the SDK's client to it. */
async function launch(vars: Record<string, string>) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: nodeArgs,
    env: envOf(vars),
    stderr: 'pipe',
  });
  const stderr: string[] = [];
  transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const client = new Client({ name: 'desktop-agent', version: '1.0.0' });
  await client.connect(transport);
  await client.listTools();
  return { client, stderr };
}

/** Runs the bin to its end with `input` on stdin; its exit code and output. */
function runToEnd(vars: Record<string, string>, input = '') {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, nodeArgs, { env: envOf(vars) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('taskpulse-mcp over stdio [pglite]', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskpulse-mcp-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the configured user, keeps the data in its folder, logs on stderr', {
    timeout: 120_000,
  }, async () => {
    const vars = {
      TASKPULSE_MCP_USER: 'desk|alice',
      TASKPULSE_MCP_NAME: 'Alice',
      TASKPULSE_DATA_DIR: dataDir,
    };
    const first = await launch(vars);
    expect(await structured(first.client, 'get-me')).toMatchObject({
      id: 'desk|alice',
      name: 'Alice',
    });
    const { tasks } = await structured<{ tasks: { id: string }[] }>(first.client, 'add-tasks', {
      tasks: [{ title: 'from the desktop agent' }, { title: 'and another' }],
    });
    expect(tasks).toHaveLength(2);
    await first.client.close();
    const logged = first.stderr
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(logged.map((line) => (JSON.parse(line) as { msg: string }).msg)).toContain(
      'taskpulse MCP server on stdio',
    );
    expect(
      logged.some((line) => line.includes('"method":"tools/call"') && line.includes('add-tasks')),
    ).toBe(true);

    // a new session on the same folder finds the tasks
    const second = await launch(vars);
    const page = await structured<{ items: { title: string }[] }>(second.client, 'find-tasks', {
      scope: 'owned',
    });
    expect(page.items.map((task) => task.title).sort()).toEqual([
      'and another',
      'from the desktop agent',
    ]);
    const bad = await second.client.callTool({ name: 'add-tasks', arguments: { tasks: [{}] } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad as never)).toMatch(/tasks\.0\.title/);
    await second.client.close();
  });

  it('survives a line that is not JSON-RPC, and answers the next request', {
    timeout: 60_000,
  }, async () => {
    const initialize = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'x', version: '1' },
      },
    });
    const { code, stdout } = await runToEnd(
      { TASKPULSE_MCP_USER: 'desk|bob', TASKPULSE_DATA_DIR: dataDir },
      `this is not json\n{"jsonrpc":"2.0","id":"x"}\n${initialize}\n`,
    );
    expect(code).toBe(0);
    // stdout holds protocol messages only, one per line
    const messages = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id?: unknown });
    expect(messages.some((message) => message.id === 1)).toBe(true);
  });

  it('refuses to start without a user, saying how to name one', async () => {
    const { code, stdout, stderr } = await runToEnd({ TASKPULSE_DATA_DIR: dataDir });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/--user <id> \(or TASKPULSE_MCP_USER\)/);
  });
});

describe.skipIf(!postgresAvailable)('taskpulse-mcp over stdio [postgres]', () => {
  let url: string;
  let drop: () => Promise<void>;
  let tp: Taskpulse;
  beforeAll(async () => {
    ({ url, drop } = await createTestDatabase());
    // another taskpulse server on the same database, as the app the user has open
    tp = await createTaskpulse({ database: { url }, migrate: true, changeEvents: 'postgres' });
  });
  afterAll(async () => {
    await tp?.close();
    await drop?.();
  });

  it("moves the user's live dashboard on another server when the agent writes", {
    timeout: 120_000,
  }, async () => {
    await tp.provisionUser({ id: 'desk|carol' });
    const controller = new AbortController();
    const stream = tp.dashboard.live(
      tp.context({ id: 'desk|carol' }),
      {},
      { signal: controller.signal },
    );
    const emissions: LiveEmission[] = [];
    const reading = (async () => {
      for await (const emission of stream) emissions.push(emission);
    })();
    const until = async (predicate: (last: LiveEmission) => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!(emissions.at(-1) && predicate(emissions.at(-1) as LiveEmission))) {
        if (Date.now() > deadline)
          throw new Error(`no such emission: ${JSON.stringify(emissions.at(-1))}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    try {
      await until(() => true);
      const agent = await launch({ TASKPULSE_MCP_USER: 'desk|carol', DATABASE_URL: url });
      const { tasks } = await structured<{ tasks: { id: string }[] }>(agent.client, 'add-tasks', {
        tasks: [{ title: 'agent task' }],
      });
      await until((last) => last.data.statistics.total === 1);
      await structured(agent.client, 'complete-tasks', { ids: [tasks[0]?.id] });
      await until((last) => last.data.statistics.completed === 1);
      await agent.client.close();
    } finally {
      controller.abort();
      await reading.catch(() => {});
    }
  });
});
