/// <reference lib="dom" />
/**
 * The page of the cross-origin browser test, bundled for the browser by the test: it calls a
 * taskpulse API on another origin through `@taskpulse/client` (a query, a mutation, the live
 * SSE stream) and with plain fetch (an exposed header, `/mcp`), and reports what happened.
 */
import { createTaskpulseClient, getTaskpulseErrorCode } from '@taskpulse/client';

/** What the page could do against one API. */
export interface CrossOriginReport {
  me?: string;
  createdTitle?: string;
  liveTotal?: number;
  requestIdHeader?: string | null;
  mcpStatus?: number;
  mcpServerName?: string;
  /** The first failure, as the page saw it. */
  error?: { name: string; message: string; code: string | undefined };
}

declare global {
  interface Window {
    crossOrigin(api: string, token: string): Promise<CrossOriginReport>;
  }
}

window.crossOrigin = async (api, token) => {
  const report: CrossOriginReport = {};
  const client = createTaskpulseClient({ url: api, token, retry: false });
  try {
    report.me = (await client.me.query()).id;
    report.createdTitle = (
      await client.tasks.create.mutate({ title: 'from another origin' })
    ).title;
    report.liveTotal = await new Promise<number>((resolve, reject) => {
      const subscription = client.dashboard.live.subscribe(
        {},
        {
          onData: ({ data }) => {
            subscription.unsubscribe();
            resolve(data.statistics.total);
          },
          onError: (error) => {
            subscription.unsubscribe();
            reject(error);
          },
        },
      );
      setTimeout(() => {
        subscription.unsubscribe();
        reject(new Error('dashboard.live sent nothing within 10 s'));
      }, 10_000);
    });
    const health = await fetch(`${api}/trpc/health`);
    report.requestIdHeader = health.headers.get('x-request-id');
    const mcp = await fetch(`${api}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'cross-origin-page', version: '1.0.0' },
        },
      }),
    });
    report.mcpStatus = mcp.status;
    const text = await mcp.text();
    const json = text.startsWith('{') ? text : (text.match(/^data: (.*)$/m)?.[1] ?? '{}');
    report.mcpServerName = (
      JSON.parse(json) as { result?: { serverInfo?: { name?: string } } }
    ).result?.serverInfo?.name;
  } catch (error) {
    const caught = error as Error;
    report.error = {
      name: caught.name,
      message: caught.message,
      code: getTaskpulseErrorCode(error),
    };
  }
  return report;
};
