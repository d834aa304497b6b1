/** The server's OpenAPI document describes /mcp and its protected-resource metadata when the route is mounted. */
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../core/test/databases.ts';
import { TASKPULSE_TOOLS } from '../src/tools/index.ts';
import { useMcpApi } from './harness.ts';

interface Operation {
  operationId?: string;
  description?: string;
  security?: unknown[];
  responses?: Record<string, unknown>;
  requestBody?: { content: Record<string, { schema?: unknown }> };
}
interface Document {
  paths?: Record<string, Record<string, Operation | undefined> | undefined>;
  tags?: { name: string }[];
}

describe('/mcp in the OpenAPI document [pglite]', () => {
  const db = useTestDatabase('pglite');
  const api = useMcpApi(db);

  it('describes the JSON-RPC endpoint and the metadata, and stays valid', async () => {
    const document = (await (await fetch(`${api.url}/openapi.json`)).json()) as Document;
    const mcp = document.paths?.['/mcp']?.post;
    expect(mcp?.operationId).toBe('mcp');
    expect(mcp?.security).toBeUndefined(); // the document's bearer auth
    expect(Object.keys(mcp?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '401', '429']),
    );
    for (const tool of TASKPULSE_TOOLS) expect(mcp?.description).toContain(`\`${tool.name}\``);
    const body = mcp?.requestBody?.content['application/json'];
    expect(JSON.stringify(body?.schema)).toContain('"jsonrpc"');
    for (const path of [
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]) {
      expect(document.paths?.[path]?.get?.security).toEqual([]);
    }
    expect(document.tags?.map((tag) => tag.name)).toContain('mcp');
    await SwaggerParser.validate(structuredClone(document) as never);
  });
});
