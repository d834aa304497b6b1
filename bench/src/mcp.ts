/**
 * Part 3 of the bench: MCP tool calls over HTTP side by side with the equivalent tRPC calls
 * on the same API server (a child process): finding tasks, one dashboard figure, and the whole
 * dashboard. Latency is measured one call at a time in paired rounds (as the statistics are);
 * throughput with autocannon under concurrent load, rounds alternating between the two.
 */

import { cannon, type HttpRun, startServer, tokens } from './api.ts';
import type { BenchConfig } from './config.ts';
import { type Latency, measure, pairedRatio } from './measure.ts';

/** One comparison: an MCP tool call and the tRPC call that answers the same. */
export interface McpPair {
  name: string;
  /** What the tRPC side sends. */
  trpc: string;
  /** What the MCP side sends. */
  mcp: string;
  latency: { trpc: Latency; mcp: Latency; ratio: number };
  load: { trpc: HttpRun[]; mcp: HttpRun[] };
}

/** What part 3 measured. */
export interface McpResults {
  pairs: McpPair[];
}

/** How part 3 reports progress. */
export interface McpReporter {
  step(step: { key: string; round: number; done: number; total: number }): void;
}

interface Call {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  headers: Record<string, string>;
}

const DASHBOARD_PROCEDURES = ['statistics', 'activity', 'breakdown', 'shared', 'trend'];

/** The three comparisons, as HTTP calls for `token`. */
function pairsFor(
  token: string,
): { name: string; trpc: Call; mcp: Call; trpcLabel: string; mcpLabel: string }[] {
  const auth = { authorization: `Bearer ${token}` };
  const trpcGet = (path: string): Call => ({ method: 'GET', path, headers: auth });
  const tool = (name: string, args: Record<string, unknown>): Call => ({
    method: 'POST',
    path: '/mcp',
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name, arguments: args },
    }),
    headers: {
      ...auth,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    },
  });
  const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));
  const zone = { timeZone: 'Europe/Berlin' };
  const batchInput = Object.fromEntries(
    DASHBOARD_PROCEDURES.map((name, i) => [
      String(i),
      name === 'activity'
        ? { ...zone, weekStartsOn: 1 }
        : name === 'trend'
          ? { ...zone, days: 30 }
          : {},
    ]),
  );
  return [
    {
      name: 'find tasks',
      trpcLabel: 'GET /trpc/tasks.list {scope: owned, limit: 20}',
      mcpLabel: 'tools/call find-tasks {scope: owned, limit: 20}',
      trpc: trpcGet(`/trpc/tasks.list?input=${input({ scope: 'owned', limit: 20 })}`),
      mcp: tool('find-tasks', { scope: 'owned', limit: 20 }),
    },
    {
      name: 'dashboard, statistics',
      trpcLabel: 'GET /trpc/dashboard.statistics',
      mcpLabel: 'tools/call get-dashboard {figures: [statistics]}',
      trpc: trpcGet('/trpc/dashboard.statistics'),
      mcp: tool('get-dashboard', { figures: ['statistics'] }),
    },
    {
      name: 'dashboard, every figure',
      trpcLabel:
        'GET /trpc/dashboard.statistics,…,dashboard.trend?batch=1 (five procedures in one request)',
      mcpLabel: 'tools/call get-dashboard (all five figures)',
      trpc: trpcGet(
        `/trpc/${DASHBOARD_PROCEDURES.map((name) => `dashboard.${name}`).join(',')}?batch=1&input=${input(batchInput)}`,
      ),
      mcp: tool('get-dashboard', { ...zone, weekStartsOn: 1, days: 30 }),
    },
  ];
}

/** Sends `call` and checks that it was answered with data, not an error. */
async function send(base: string, call: Call): Promise<void> {
  const response = await fetch(`${base}${call.path}`, {
    method: call.method,
    headers: call.headers,
    ...(call.body !== undefined && { body: call.body }),
  });
  const text = await response.text();
  if (response.status !== 200 || text.includes('"isError":true') || text.includes('"error":')) {
    throw new Error(
      `${call.method} ${call.path} answered ${response.status}: ${text.slice(0, 300)}`,
    );
  }
}

/** Part 3: every pair, latency then load, on one server with the statistics cache on. */
export async function runMcpBench(
  config: BenchConfig,
  user: string,
  reporter: McpReporter,
): Promise<McpResults> {
  const secret = crypto.randomUUID() + crypto.randomUUID();
  const [token = ''] = await tokens(secret, [user]);
  const server = await startServer(config, secret, 'on');
  try {
    const pairs = pairsFor(token);
    // every call answers, with data, before anything is timed
    for (const pair of pairs) {
      await send(server.url, pair.trpc);
      await send(server.url, pair.mcp);
    }
    const latencies = await measure(
      pairs.flatMap((pair) => [
        { key: `${pair.name}/trpc`, run: () => send(server.url, pair.trpc) },
        { key: `${pair.name}/mcp`, run: () => send(server.url, pair.mcp) },
      ]),
      {
        timeMs: config.timeMs,
        rounds: config.rounds,
        minIterations: config.minIterations,
        onStep: (step) => reporter.step({ ...step, key: `MCP vs tRPC latency · ${step.key}` }),
      },
    );

    const total = pairs.length * config.httpRounds * 2;
    let done = 0;
    const results: McpPair[] = [];
    for (const pair of pairs) {
      const load = { trpc: [] as HttpRun[], mcp: [] as HttpRun[] };
      for (let round = 0; round < config.httpRounds; round += 1) {
        // alternate which side goes first, so that neither always runs on a warmer machine
        const sides = round % 2 === 0 ? (['trpc', 'mcp'] as const) : (['mcp', 'trpc'] as const);
        for (const side of sides) {
          reporter.step({
            key: `MCP vs tRPC load · ${pair.name} · ${side}`,
            round,
            done: done++,
            total,
          });
          const call = pair[side];
          load[side].push(
            await cannon(`${pair.name} · ${side}`, round, {
              url: `${server.url}${call.path}`,
              method: call.method,
              headers: call.headers,
              ...(call.body !== undefined && { body: call.body }),
              connections: config.connections,
              duration: config.httpSeconds,
            }),
          );
        }
      }
      const trpc = latencies.get(`${pair.name}/trpc`) as Latency;
      const mcp = latencies.get(`${pair.name}/mcp`) as Latency;
      results.push({
        name: pair.name,
        trpc: pair.trpcLabel,
        mcp: pair.mcpLabel,
        latency: { trpc, mcp, ratio: pairedRatio(mcp, trpc) },
        load,
      });
    }
    return { pairs: results };
  } finally {
    await server.close();
  }
}
