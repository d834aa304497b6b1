/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance) against the endpoint,
 * every scenario, with the scenarios that cannot apply listed in conformance-baseline.yml.
 *
 * Its client sends no Authorization header, so the server under test is built the way a
 * single-user local server is: `auth.resolveUser` answers one fixed user for every request (an
 * auth option every taskpulse server has). Everything else is the production endpoint: the same
 * route, runtime, DNS rebinding protection (it listens on 127.0.0.1) and tools.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTaskpulseServer, type TaskpulseServer } from '@taskpulse/trpc-server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../core/test/databases.ts';
import { taskpulseMcp } from '../src/index.ts';

const cli = fileURLToPath(
  new URL('../node_modules/@modelcontextprotocol/conformance/dist/index.js', import.meta.url),
);
const baseline = fileURLToPath(new URL('../conformance-baseline.yml', import.meta.url));

/** Runs the conformance CLI (on this process's Node, the repository's pinned 24). */
function conformance(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

describe('the MCP conformance suite', () => {
  const db = useTestDatabase('pglite');
  let server: TaskpulseServer;
  let url: string;
  beforeAll(async () => {
    server = createTaskpulseServer({
      taskpulse: db.tp,
      auth: { resolveUser: () => ({ sub: 'conformance', name: 'Conformance suite' }) },
      logger: pino({ level: 'silent' }),
      rateLimit: false,
      routes: [taskpulseMcp()],
    });
    ({ url } = await server.listen(0, '127.0.0.1'));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('passes every scenario that applies, and fails only the baseline', {
    timeout: 300_000,
  }, async () => {
    const { code, output } = await conformance([
      'server',
      '--url',
      `${url}/mcp`,
      '--suite',
      'all',
      '--expected-failures',
      baseline,
    ]);
    const summary = output.slice(output.indexOf('=== SUMMARY ==='));
    for (const scenario of [
      'server-initialize',
      'ping',
      'tools-list',
      'dns-rebinding-protection',
    ]) {
      expect(summary).toMatch(new RegExp(`✓ ${scenario}: [1-9]\\d* passed, 0 failed`));
    }
    expect([code, summary]).toEqual([0, summary]);
  });
});
