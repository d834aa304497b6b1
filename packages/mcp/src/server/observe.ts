import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';

/** One MCP request or notification as the server handled it. */
export interface ObservedOperation {
  /** `initialize`, `tools/list`, `tools/call`, `ping`, `notifications/initialized`, … */
  readonly method: string;
  /** The tool, for `tools/call`. */
  readonly toolName: string | undefined;
  /**
   * Why it failed, as the OpenTelemetry MCP conventions name it: `tool_error` for a tool
   * result with `isError`, the JSON-RPC error code otherwise; undefined when it succeeded.
   */
  readonly errorType: string | undefined;
  /** The protocol version the client asked for in `initialize`, or sent as a header. */
  readonly protocolVersion: string | undefined;
  readonly durationMs: number;
}

interface Pending {
  readonly method: string;
  readonly toolName: string | undefined;
  readonly started: number;
}

/**
 * The methods a client may send (MCP 2025-11-25): anything else is reported as `_OTHER`, so
 * that what a client sends cannot mint metric series.
 */
const CLIENT_METHODS = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'notifications/tasks/status',
]);

const methodOf = (method: string) => (CLIENT_METHODS.has(method) ? method : '_OTHER');

const toolNameOf = (params: unknown, known: ReadonlySet<string>): string | undefined => {
  const name = (params as { name?: unknown } | undefined)?.name;
  if (typeof name !== 'string') return undefined;
  return known.has(name) ? name : '_OTHER';
};

/**
 * Reports every request and notification that reaches `transport` once it is answered (or, for
 * a notification, once it arrived): call after the server connected to it, which set
 * `onmessage`. Works for any transport, so HTTP and stdio are observed the same way.
 */
export function observeOperations(
  transport: Transport,
  observe: (operation: ObservedOperation) => void,
  { tools, protocolVersion }: { tools: ReadonlySet<string>; protocolVersion?: string | undefined },
): void {
  let version = protocolVersion;
  const pending = new Map<RequestId, Pending>();
  const receive = transport.onmessage;
  transport.onmessage = (message, extra) => {
    // the transports parsed every message with the SDK's schema: its shape tells its kind
    if ('method' in message && 'id' in message) {
      if (message.method === 'initialize') {
        const asked = (message.params as { protocolVersion?: unknown } | undefined)
          ?.protocolVersion;
        if (typeof asked === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(asked)) version ??= asked;
      }
      pending.set(message.id, {
        method: methodOf(message.method),
        toolName: message.method === 'tools/call' ? toolNameOf(message.params, tools) : undefined,
        started: performance.now(),
      });
    } else if ('method' in message) {
      observe({
        method: methodOf(message.method),
        toolName: undefined,
        errorType: undefined,
        protocolVersion: version,
        durationMs: 0,
      });
    }
    receive?.(message, extra);
  };
  const send = transport.send.bind(transport);
  transport.send = (message: JSONRPCMessage, options) => {
    const id = 'id' in message && !('method' in message) ? message.id : undefined;
    const answered = id === undefined ? undefined : pending.get(id);
    if (id !== undefined && answered) {
      pending.delete(id);
      const errorType =
        'error' in message
          ? String(message.error.code)
          : (message as { result?: { isError?: unknown } }).result?.isError === true
            ? 'tool_error'
            : undefined;
      observe({
        method: answered.method,
        toolName: answered.toolName,
        errorType,
        protocolVersion: version,
        durationMs: performance.now() - answered.started,
      });
    }
    return send(message, options);
  };
}
