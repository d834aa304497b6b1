/**
 * The OpenAPI document against the router it describes: every procedure is an operation, an
 * independent validator accepts it, and its examples pass the very schemas the API validates
 * and answers with.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import type { AnyTRPCProcedure } from '@trpc/server';
import type { oas31 } from 'openapi3-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useTestDatabase } from '../../../core/test/databases.ts';
import { testProcedures } from '../../test/procedures.ts';
import { TEST_SECRET } from '../../test/tokens.ts';
import {
  createTaskpulseRouter,
  createTaskpulseRuntime,
  createTaskpulseServer,
  type TaskpulseRouteFactory,
  type TaskpulseServer,
} from '../index.ts';
import { OPERATION_DOCS } from './operations.ts';

type Operation = oas31.OperationObject;

/** Each operation of the document under the base path, by procedure path. */
function trpcOperations(document: oas31.OpenAPIObject, basePath = '/trpc') {
  const operations = new Map<string, { method: string; operation: Operation }>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    if (!path.startsWith(`${basePath}/`)) continue;
    for (const method of ['get', 'post'] as const) {
      const operation = item[method];
      if (operation) operations.set(path.slice(basePath.length + 1), { method, operation });
    }
  }
  return operations;
}

const methodOf = (procedure: AnyTRPCProcedure) =>
  procedure._def.type === 'mutation' ? 'post' : 'get';

/** A route that describes itself, as @taskpulse/mcp's does. */
const describedRoute: TaskpulseRouteFactory = () => ({
  paths: ['/described'],
  handle: async () => new Response('ok'),
  openapi: {
    tags: [{ name: 'described', description: 'A route beside the API.' }],
    paths: {
      '/described': {
        post: {
          operationId: 'described',
          tags: ['described'],
          responses: { '200': { description: 'ok' } },
        },
      },
    },
  },
});

describe('the OpenAPI document', () => {
  const db = useTestDatabase('pglite');
  let server: TaskpulseServer;
  let url: string;
  let document: oas31.OpenAPIObject;
  beforeAll(async () => {
    server = createTaskpulseServer({
      taskpulse: db.tp,
      auth: { secret: TEST_SECRET },
      rateLimit: false,
      routes: [describedRoute],
    });
    ({ url } = await server.listen(0, '127.0.0.1'));
    const response = await fetch(`${url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    document = (await response.json()) as oas31.OpenAPIObject;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('has one operation for every procedure of the router, with its method, and no other', () => {
    const procedures = Object.entries(
      server.router._def.procedures as Record<string, AnyTRPCProcedure>,
    );
    const operations = trpcOperations(document);
    expect([...operations.keys()].sort()).toEqual(procedures.map(([path]) => path).sort());
    for (const [path, procedure] of procedures) {
      expect([path, operations.get(path)?.method]).toEqual([path, methodOf(procedure)]);
    }
    const ids = [...operations.values()].map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operations.get('teams.addMember')?.operation.operationId).toBe('teamsAddMember');
    console.log(`OpenAPI document: ${operations.size} procedures, all of the router's`);
  });

  it('is a valid OpenAPI 3.1 document for an independent validator (swagger-parser)', async () => {
    expect(document.openapi).toBe('3.1.0');
    const validated = await SwaggerParser.validate(structuredClone(document) as never);
    const count = Object.values(validated.paths ?? {}).reduce(
      (sum, item) =>
        sum +
        ['get', 'post', 'put', 'delete', 'patch'].filter(
          (method) => (item as Record<string, unknown>)[method],
        ).length,
      0,
    );
    expect(count).toBeGreaterThan(trpcOperations(document).size);
    console.log(`swagger-parser: valid OpenAPI ${document.openapi}, ${count} operations`);
  });

  it('describes the wire format: GET with ?input= for queries, a JSON body for mutations, the result envelope', () => {
    const operations = trpcOperations(document);
    const list = operations.get('tasks.list')!.operation;
    const input = list.parameters?.[0] as oas31.ParameterObject;
    expect(input).toMatchObject({ name: 'input', in: 'query', required: false });
    expect(input.content?.['application/json']?.schema).toMatchObject({
      type: 'object',
      properties: { limit: { type: 'integer', minimum: 1, maximum: 100 } },
    });
    const create = operations.get('tasks.create')!.operation;
    const body = create.requestBody as oas31.RequestBodyObject;
    expect(body.required).toBe(true);
    expect(body.content['application/json']?.schema).toMatchObject({
      required: ['title'],
      properties: { title: { minLength: 1, maxLength: 200 } },
    });
    const ok = create.responses?.['200'] as oas31.ResponseObject;
    expect(ok.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/TaskResult',
    });
    const schemas = document.components?.schemas ?? {};
    expect(schemas.TaskResult).toMatchObject({
      properties: {
        result: { properties: { data: { $ref: '#/components/schemas/Task' } } },
      },
    });
    expect(schemas.Task).toMatchObject({
      properties: { dueAt: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] } },
    });
    expect(operations.get('me')!.operation.parameters).toBeUndefined();
    const live = operations.get('dashboard.live')!.operation;
    expect(Object.keys((live.responses!['200'] as oas31.ResponseObject).content ?? {})).toEqual([
      'text/event-stream',
    ]);
    expect(live.parameters?.map((parameter) => (parameter as oas31.ParameterObject).name)).toEqual([
      'input',
      'connectionParams',
    ]);
  });

  it('has the Idempotency-Key header on every authenticated mutation but me.delete, and on no query', () => {
    const operations = trpcOperations(document);
    // me.delete keeps no key (it would be deleted with the account): the header is not offered
    const mutations = [...operations].filter(
      ([path, { method }]) => method === 'post' && path !== 'me.delete',
    );
    expect(operations.get('me.delete')?.method).toBe('post');
    expect(mutations.length).toBeGreaterThanOrEqual(10);
    for (const [path, { operation }] of operations) {
      const header = operation.parameters?.find(
        (parameter) => (parameter as oas31.ParameterObject).name === 'Idempotency-Key',
      ) as oas31.ParameterObject | undefined;
      if (mutations.some(([mutation]) => mutation === path)) {
        expect([path, header]).toMatchObject([
          path,
          {
            in: 'header',
            required: false,
            schema: { type: 'string', minLength: 1, maxLength: 255 },
          },
        ]);
        expect([path, Object.keys(operation.responses ?? {})]).toEqual([
          path,
          expect.arrayContaining(['409']),
        ]);
      } else {
        expect([path, header]).toEqual([path, undefined]);
      }
    }
  });

  it('describes errors, rate limits and bearer auth', () => {
    const operations = trpcOperations(document);
    const update = operations.get('tasks.update')!.operation;
    expect(Object.keys(update.responses ?? {}).sort()).toEqual(
      ['200', '400', '401', '403', '404', '409', '413', '429', '503', 'default'].sort(),
    );
    expect(update.responses?.['409']).toEqual({ $ref: '#/components/responses/Conflict' });
    expect(update.security).toBeUndefined();
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    expect(document.components?.securitySchemes?.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    const health = operations.get('health')!.operation;
    expect(health.security).toEqual([]);
    expect(Object.keys(health.responses ?? {})).not.toContain('401');

    const responses = (document.components?.responses ?? {}) as Record<
      string,
      oas31.ResponseObject
    >;
    expect(responses.TooManyRequests?.headers?.['retry-after']).toEqual({
      $ref: '#/components/headers/RetryAfter',
    });
    const badRequest = responses.BadRequest?.content?.['application/json'];
    expect(badRequest?.schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(badRequest?.example).toMatchObject({
      error: { code: -32600, data: { code: 'BAD_REQUEST', httpStatus: 400, issues: [{}] } },
    });
    expect(document.components?.schemas?.Error).toMatchObject({
      properties: {
        error: {
          properties: {
            data: {
              required: ['code', 'httpStatus'],
              properties: { issues: { type: 'array' } },
            },
          },
        },
      },
    });
  });

  it('has the plain routes and what other routes add', () => {
    const paths = document.paths ?? {};
    expect(paths['/health/live']?.get?.security).toEqual([]);
    expect(Object.keys(paths['/health/ready']?.get?.responses ?? {})).toEqual(['200', '503']);
    expect(Object.keys(paths['/metrics']?.get?.responses?.['200']?.content ?? {})).toEqual([
      server.runtime.metrics.contentType,
    ]);
    expect(paths['/described']?.post?.operationId).toBe('described');
    expect(document.tags?.map((tag) => tag.name)).toContain('described');
    expect(paths['/openapi.json']).toBeUndefined();
  });

  it('has examples that the API’s own schemas accept, for every taskpulse procedure', () => {
    const procedures = server.router._def.procedures as Record<string, AnyTRPCProcedure>;
    const operations = trpcOperations(document);
    for (const [path, doc] of Object.entries(OPERATION_DOCS)) {
      const procedure = procedures[path]!;
      const [input] = (procedure._def as unknown as { inputs: z.ZodType[] }).inputs;
      const example = doc.example as { input?: unknown; output: unknown };
      if (input) expect([path, input.safeParse(example.input).error]).toEqual([path, undefined]);
      else expect(example.input).toBeUndefined();
      const output = (doc.output.schema as z.ZodType).safeParse(example.output);
      expect([path, output.error]).toEqual([path, undefined]);

      const { operation, method } = operations.get(path)!;
      expect(operation.summary).toBe(doc.summary);
      const media =
        method === 'post'
          ? (operation.requestBody as oas31.RequestBodyObject | undefined)?.content[
              'application/json'
            ]
          : (operation.parameters?.[0] as oas31.ParameterObject | undefined)?.content?.[
              'application/json'
            ];
      if (example.input !== undefined) expect(media?.example).toEqual(example.input);
    }
  });
});

describe('the OpenAPI document of a router with procedures of the app', () => {
  const db = useTestDatabase('pglite');

  it('describes them from their validators, and marks the public ones', async () => {
    const runtime = createTaskpulseRuntime({
      taskpulse: db.tp,
      auth: { secret: TEST_SECRET },
      rateLimit: false,
    });
    const router = createTaskpulseRouter(runtime, (b) => ({
      ...testProcedures(b),
      shout: b.authed
        .input(z.object({ word: z.string().max(10) }))
        .output(z.object({ loud: z.string() }))
        .query(({ input }) => ({ loud: input.word.toUpperCase() })),
    }));
    const server = createTaskpulseServer({ runtime, router, basePath: '/api' });
    try {
      const { url } = await server.listen(0, '127.0.0.1');
      const document = (await (await fetch(`${url}/openapi.json`)).json()) as oas31.OpenAPIObject;
      const operations = trpcOperations(document, '/api');
      expect(operations.size).toBe(Object.keys(router._def.procedures).length);
      const shout = operations.get('shout')!.operation;
      expect(shout.security).toBeUndefined();
      expect(
        (shout.parameters![0] as oas31.ParameterObject).content?.['application/json']?.schema,
      ).toMatchObject({ properties: { word: { maxLength: 10 } } });
      expect(
        (shout.responses!['200'] as oas31.ResponseObject).content?.['application/json']?.schema,
      ).toMatchObject({
        properties: {
          result: { properties: { data: { properties: { loud: { type: 'string' } } } } },
        },
      });
      expect(operations.get('test.fail')!.operation.security).toEqual([]);
      expect(operations.get('test.echo')!.method).toBe('post');
      await SwaggerParser.validate(structuredClone(document) as never);
    } finally {
      await server.close();
      await runtime.close();
    }
  });
});
