/**
 * `pnpm --filter @taskpulse/dashboard run agent-session`: a real MCP session against the
 * reference app, driven by the official SDK's client the way an AI agent's host drives it, and
 * printed as a transcript (what the agent sent, what the model reads back). It starts the app
 * on a fresh PGlite folder with the demo data, signs in as Alice with the demo sign-in, and
 * talks to /mcp over Streamable HTTP. The README's transcript is its output.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { pino } from 'pino';
import { startDashboard } from '../server/app.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'taskpulse-agent-session-'));
const app = await startDashboard({
  port: 0,
  dataDir,
  webRoot: fileURLToPath(new URL('../web/dist', import.meta.url)),
  logger: pino({ level: 'error' }),
});
const print = (line = '') => process.stdout.write(`${line}\n`);
const ids = new Map<string, string>();
/** Ids as short names, so the transcript reads the same on every run. */
const shorten = (text: string) =>
  text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
    if (!ids.has(id)) ids.set(id, `‹id ${ids.size + 1}›`);
    return ids.get(id) as string;
  });

try {
  const signIn = await fetch(`${app.url}/demo/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 'demo-alice' }),
  });
  const { token } = (await signIn.json()) as { token: string };
  const client = new Client({ name: 'transcript-agent', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${app.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  const server = client.getServerVersion();
  print(`→ initialize   ← ${server?.name} ${server?.version}`);
  const { tools } = await client.listTools();
  print(`→ tools/list   ← ${tools.map((tool) => tool.name).join(', ')}`);

  const call = async (name: string, args: Record<string, unknown>) => {
    print();
    print(`→ tools/call ${name} ${shorten(JSON.stringify(args))}`);
    const result = await client.callTool({ name, arguments: args });
    const text = (result.content as { type: string; text?: string }[])
      .map((part) => part.text ?? '')
      .join('\n');
    print(`← ${result.isError ? '(isError) ' : ''}${shorten(text).replace(/\n/g, '\n  ')}`);
    return result.structuredContent as Record<string, unknown> | undefined;
  };

  await call('get-dashboard', { figures: ['statistics', 'activity'], timeZone: 'Europe/Berlin' });
  const overdue = await call('find-tasks', { scope: 'owned', overdue: true, limit: 3 });
  const first = (overdue?.items as { id: string }[] | undefined)?.[0];
  const added = await call('add-tasks', {
    tasks: [
      { title: 'Draft the Q1 roadmap', priority: 'high', dueAt: '2026-12-04T17:00:00+01:00' },
      { title: 'Book the team offsite' },
    ],
  });
  const created = (added?.tasks as { id: string }[] | undefined) ?? [];
  await call('complete-tasks', { ids: [first?.id, created[1]?.id].filter(Boolean) });
  await call('update-task', { id: created[0]?.id, title: '' });
  await call('share-task', {
    taskId: created[0]?.id,
    email: 'bob@demo.taskpulse.dev',
    permission: 'edit',
  });
  await call('get-dashboard', { figures: ['statistics'] });
  await client.close();
} finally {
  await app.close();
  await rm(dataDir, { recursive: true, force: true });
}
