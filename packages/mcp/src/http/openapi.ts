import {
  JSONRPCMessageSchema,
  JSONRPCResponseSchema,
  LATEST_PROTOCOL_VERSION,
} from '@modelcontextprotocol/sdk/types.js';
import { wireJsonSchema } from '@taskpulse/core';
import type { TaskpulseRouteOpenApi } from '@taskpulse/trpc-server';
import { z } from 'zod';
import { TASKPULSE_TOOLS } from '../tools/index.ts';
import { protectedResourceMetadataSchema } from './protected-resource.ts';

// the SDK's JSON-RPC schemas are zod 4 schemas of its own copy of zod
const schemaOf = (schema: unknown, io: 'input' | 'output') =>
  wireJsonSchema(schema as z.ZodType, io) as Record<string, unknown>;

const rpcError = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers && { headers }),
  content: {
    'application/json': {
      schema: schemaOf(JSONRPCResponseSchema, 'output'),
      example: { jsonrpc: '2.0', error: { code: -32000, message: description }, id: null },
    },
  },
});

/**
 * What the OpenAPI document of the server says of the MCP endpoint at `path` and of its
 * protected-resource metadata: a JSON-RPC 2.0 POST endpoint, not each MCP method (those are
 * the MCP specification's; `tools/list` names the tools and their schemas).
 */
export function mcpOpenApi(path: string, metadataPaths: readonly string[]): TaskpulseRouteOpenApi {
  const metadata = {
    get: {
      summary: 'OAuth protected-resource metadata of the MCP endpoint (RFC 9728)',
      tags: ['mcp'],
      security: [],
      responses: {
        '200': {
          description: 'Where agents get tokens for the MCP endpoint.',
          content: {
            'application/json': {
              schema: schemaOf(protectedResourceMetadataSchema, 'output'),
            },
          },
        },
      },
    },
  };
  const paths: TaskpulseRouteOpenApi['paths'] = {
    [path]: {
      post: {
        operationId: 'mcp',
        summary: 'MCP (Model Context Protocol) over Streamable HTTP, for AI agents',
        description: [
          `JSON-RPC 2.0 messages of MCP (protocol ${LATEST_PROTOCOL_VERSION} and earlier), stateless: each POST is answered in JSON, with no session and no stream (GET and DELETE answer 405).`,
          'Start with `initialize`, then `tools/list` and `tools/call`; the agent acts for the user of the bearer token, under the same rules and rate limits as the API.',
          `Tools: ${TASKPULSE_TOOLS.map((tool) => `\`${tool.name}\``).join(', ')}.`,
          'Send `Accept: application/json, text/event-stream` and, after `initialize`, `MCP-Protocol-Version`.',
        ].join('\n\n'),
        tags: ['mcp'],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: schemaOf(JSONRPCMessageSchema, 'input'),
              example: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
            },
          },
        },
        responses: {
          '200': {
            description: 'The JSON-RPC response.',
            content: {
              'application/json': { schema: schemaOf(JSONRPCResponseSchema, 'output') },
            },
          },
          '202': { description: 'A notification or response, accepted.' },
          '400': rpcError('Parse error or invalid JSON-RPC.'),
          '401': {
            description:
              'No valid token: the `WWW-Authenticate` header names the protected-resource metadata.',
            headers: {
              'www-authenticate': {
                description: 'Bearer resource_metadata="…/.well-known/oauth-protected-resource…"',
                schema: schemaOf(z.string(), 'output'),
              },
            },
          },
          '403': rpcError('A Host or Origin that is not allowed (DNS rebinding protection).'),
          '413': rpcError('The body is larger than the server takes.'),
          '429': rpcError('Over the rate limit.', {
            'retry-after': { $ref: '#/components/headers/RetryAfter' },
          }),
          '503': rpcError('The database cannot be reached; retry later.'),
        },
      },
    },
  };
  for (const [index, metadataPath] of metadataPaths.entries()) {
    paths[metadataPath] = {
      get: {
        ...metadata.get,
        operationId: index === 0 ? 'mcpProtectedResource' : `mcpProtectedResource${index + 1}`,
      },
    };
  }
  return {
    paths,
    tags: [{ name: 'mcp', description: 'The same domain as MCP tools for AI agents.' }],
  };
}
