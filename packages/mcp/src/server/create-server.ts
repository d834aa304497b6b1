import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { parseWith, type Taskpulse, type TaskpulseContext, wireJsonSchema } from '@taskpulse/core';
import packageJson from '../../package.json' with { type: 'json' };
import { describeError } from '../tools/failures.ts';
import { TASKPULSE_TOOLS, type TaskpulseTool } from '../tools/index.ts';

/** How the server introduces itself to clients. */
export const SERVER_INFO = {
  name: 'taskpulse',
  title: 'taskpulse',
  version: packageJson.version,
} as const;

/** What the server tells the model about itself when a session starts. */
export const SERVER_INSTRUCTIONS = [
  "taskpulse holds the user's tasks, the tasks others share with them, their teams and their dashboard figures; you act as that user and can do exactly what they can.",
  'Look things up before changing them: find-tasks (filters and pages), get-task, find-teams, find-shares, get-dashboard.',
  'A task the user cannot see does not exist for them: NOT_FOUND means a wrong id or no access, never tell the two apart.',
  'Confirm with the user before delete-task, unshare-task or remove-team-member.',
].join(' ');

/** Where a tool's failure that is not a domain error is reported (it is never shown to the agent). */
export type InternalErrorReporter = (error: unknown, tool: string) => void;

/** Options of {@link createTaskpulseMcpServer}. */
export interface TaskpulseMcpServerOptions {
  /** The open taskpulse. */
  taskpulse: Taskpulse;
  /** The core context of the user the agent acts for (`tp.context({ id })`). */
  context: TaskpulseContext;
  /** Called with what a tool failed with when it is not a domain error (a bug, a lost database). */
  onInternalError?: InternalErrorReporter;
}

interface Catalogue {
  readonly byName: ReadonlyMap<string, TaskpulseTool>;
  readonly list: Tool[];
}

let catalogue: Catalogue | undefined;
// the SDK builds one per server otherwise (an Ajv instance, about a millisecond); taskpulse's
// tools never elicit, which is all the server would validate with it
let validator: AjvJsonSchemaValidator | undefined;

/** The tools by name and as `tools/list` gives them, with their JSON Schemas made once per process. */
function toolCatalogue(): Catalogue {
  catalogue ??= {
    byName: new Map(TASKPULSE_TOOLS.map((tool) => [tool.name, tool])),
    list: TASKPULSE_TOOLS.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: wireJsonSchema(tool.input, 'input') as Tool['inputSchema'],
      outputSchema: wireJsonSchema(tool.output, 'output') as Tool['outputSchema'],
      annotations: { title: tool.title, ...tool.annotations },
    })),
  };
  return catalogue;
}

/** The tool definitions as `tools/list` answers them (names, descriptions, JSON Schemas, hints). */
export function listTools(): readonly Tool[] {
  return toolCatalogue().list;
}

/**
 * A `tools/call` naming no tool of this server: a JSON-RPC `InvalidParams` error (the SDK
 * answers a thrown error with its `code` and `message`).
 */
class UnknownToolError extends Error {
  readonly code = ErrorCode.InvalidParams;
  constructor(name: string) {
    super(`Unknown tool: ${name.slice(0, 64)}. Call tools/list for the tools this server has.`);
  }
}

const errorResult = (text: string): CallToolResult => ({
  content: [{ type: 'text', text }],
  isError: true,
});

/**
 * Calls the tool `name` for the session's user. Invalid arguments and domain errors are tool
 * errors (`isError`) whose text says what to do, so that the model can correct itself; an
 * unknown tool is a JSON-RPC `InvalidParams` error.
 */
export async function callTool(
  options: TaskpulseMcpServerOptions,
  name: string,
  args: unknown,
): Promise<CallToolResult> {
  const tool = toolCatalogue().byName.get(name);
  if (!tool) throw new UnknownToolError(name);
  let input: unknown;
  try {
    input = parseWith(tool.input, args ?? {}, `arguments of ${name}`);
  } catch (error) {
    return errorResult(describeError(error).message);
  }
  try {
    const answer = await tool.run(options, input);
    return {
      content: [{ type: 'text', text: answer.summary }],
      structuredContent: answer.data as Record<string, unknown>,
    };
  } catch (error) {
    const described = describeError(error);
    if (described.code === 'INTERNAL') options.onInternalError?.(error, name);
    return errorResult(described.message);
  }
}

/**
 * An MCP server (the official SDK's low-level `Server`) with taskpulse's tools, acting for
 * one user. Connect it to any transport: stdio, Streamable HTTP, or an in-memory pair in tests.
 * Tool schemas are core's zod schemas as JSON Schema 2020-12, made once per process.
 *
 * @example
 * ```ts
 * const server = createTaskpulseMcpServer({ taskpulse: tp, context: tp.context({ id: 'auth0|alice' }) });
 * await server.connect(new StdioServerTransport());
 * ```
 */
export function createTaskpulseMcpServer(options: TaskpulseMcpServerOptions): Server {
  validator ??= new AjvJsonSchemaValidator();
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: {} },
    instructions: SERVER_INSTRUCTIONS,
    jsonSchemaValidator: validator,
  });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listTools() as Tool[] }));
  server.setRequestHandler(CallToolRequestSchema, (request) =>
    callTool(options, request.params.name, request.params.arguments),
  );
  return server;
}
