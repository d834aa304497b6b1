import { type JsonSchemaObject, wireJsonSchema, wireJsonSchemas } from '@taskpulse/core';
import { type AnyTRPCProcedure, type AnyTRPCRouter, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { oas31 } from 'openapi3-ts';
import { z } from 'zod';
import { taskpulseErrorShapeSchema } from '../errors/index.ts';
import { livenessSchema, readinessSchema } from '../http/plain-routes.ts';
import { IDEMPOTENCY_KEY_HEADER } from '../idempotency/index.ts';
import { isAuthenticatedProcedure } from '../router/index.ts';
import { type DomainError, OPERATION_DOCS, type OperationDoc } from './operations.ts';
import type { ResolvedOpenApiOptions } from './options.ts';

/** What a route adds to the OpenAPI document: its path items, and the tags they use. */
export interface TaskpulseRouteOpenApi {
  readonly paths: oas31.PathsObject;
  readonly tags?: readonly oas31.TagObject[];
}

/** What the document is made of: the router, where things are served, and the other routes. */
export interface OpenApiDocumentInput {
  readonly router: AnyTRPCRouter;
  readonly basePath: string;
  readonly metricsPath: string | false;
  /** The `Content-Type` of the metrics (the registry's). */
  readonly metricsContentType: string;
  readonly maxBatchSize: number;
  readonly openapi: ResolvedOpenApiOptions;
  /** What the other routes (such as `/mcp`) say of themselves. */
  readonly routes: readonly TaskpulseRouteOpenApi[];
  /** The version of `info` when the options give none. */
  readonly version: string;
}

type Schema = oas31.SchemaObject;
type Responses = oas31.ResponsesObject;

const ref = (section: 'schemas' | 'responses' | 'headers', name: string) => ({
  $ref: `#/components/${section}/${name}`,
});

// JSON Schema objects from zod are OpenAPI 3.1 schema objects (both are draft 2020-12)
const asSchema = (json: JsonSchemaObject) => json as Schema;
const schemaOf = (schema: z.ZodType, io: 'input' | 'output') =>
  asSchema(wireJsonSchema(schema, io));

const TAGS: readonly oas31.TagObject[] = [
  { name: 'me', description: 'The calling user.' },
  {
    name: 'tasks',
    description:
      'Tasks the caller owns, that are shared with them or filed under their teams. A task the caller cannot see does not exist for them (`NOT_FOUND`).',
  },
  { name: 'shares', description: 'Who a task is shared with; only its owner changes that.' },
  { name: 'teams', description: 'Teams and their members; owners and admins manage members.' },
  { name: 'conversations', description: 'AI-chat conversations, visible to their owner only.' },
  { name: 'messages', description: 'The messages of a conversation.' },
  {
    name: 'dashboard',
    description:
      'The caller’s figures, exact after every write made through the API, and their live stream.',
  },
  { name: 'server', description: 'Health checks and metrics.' },
];

/** Every error an operation may answer, by tRPC code, with what it means here. */
const ERRORS = {
  BAD_REQUEST: [
    'BadRequest',
    'Invalid input (`data.issues` names each bad field) or a malformed request.',
  ],
  UNAUTHORIZED: ['Unauthorized', 'No token, or one that is not valid (expired, wrong signature…).'],
  FORBIDDEN: ['Forbidden', 'The caller sees the object but may not change it that way.'],
  NOT_FOUND: ['NotFound', 'No such object, or one the caller cannot see.'],
  CONFLICT: ['Conflict', 'The object changed since (`expectedVersion`), or a rule of its state.'],
  PAYLOAD_TOO_LARGE: ['PayloadTooLarge', 'The body is larger than the server takes.'],
  TOO_MANY_REQUESTS: [
    'TooManyRequests',
    'Over the rate limit: retry after `Retry-After` seconds (`data.retryAfterMs`).',
  ],
  SERVICE_UNAVAILABLE: ['ServiceUnavailable', 'The database cannot be reached; retry later.'],
  INTERNAL_SERVER_ERROR: ['InternalServerError', 'Something went wrong on the server’s side.'],
} as const satisfies Partial<Record<TRPC_ERROR_CODE_KEY, readonly [string, string]>>;

type ErrorCode = keyof typeof ERRORS;

const EXAMPLE_MESSAGES: Record<ErrorCode, string> = {
  BAD_REQUEST: 'Check the input: title: Too small: expected string to have >=1 characters',
  UNAUTHORIZED: 'Sign in: this call needs a user.',
  FORBIDDEN: 'You can see this task but not edit it.',
  NOT_FOUND: 'No such task: it does not exist or you cannot see it.',
  CONFLICT:
    'The task changed since you read it: it is at version 2, not 1. Reload it and try again.',
  PAYLOAD_TOO_LARGE: 'The request body is larger than 1048576 bytes.',
  TOO_MANY_REQUESTS: 'Too many requests: try again in 12 s.',
  SERVICE_UNAVAILABLE: 'The database cannot be reached right now. Try again in a moment.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side. The error has been logged.',
};

const httpStatusOf = (code: ErrorCode) => getHTTPStatusCodeFromError(new TRPCError({ code }));

function errorExample(code: ErrorCode): z.output<typeof taskpulseErrorShapeSchema> {
  const data: z.output<typeof taskpulseErrorShapeSchema>['data'] = {
    code,
    httpStatus: httpStatusOf(code),
    path: 'tasks.create',
  };
  if (code === 'BAD_REQUEST') {
    data.issues = [
      { path: ['title'], message: 'Too small: expected string to have >=1 characters' },
    ];
  }
  if (code === 'TOO_MANY_REQUESTS') data.retryAfterMs = 11_500;
  return { message: EXAMPLE_MESSAGES[code], code: TRPC_ERROR_CODES_BY_KEY[code], data };
}

const REQUEST_ID_HEADER = { 'x-request-id': ref('headers', 'RequestId') };

function errorResponses(): Record<string, oas31.ResponseObject> {
  const responses: Record<string, oas31.ResponseObject> = {};
  for (const [code, [name, description]] of Object.entries(ERRORS) as [
    ErrorCode,
    readonly [string, string],
  ][]) {
    responses[name] = {
      description: `${code}: ${description}`,
      headers: {
        ...REQUEST_ID_HEADER,
        ...(code === 'TOO_MANY_REQUESTS' && { 'retry-after': ref('headers', 'RetryAfter') }),
      },
      content: {
        'application/json': {
          schema: ref('schemas', 'Error'),
          example: { error: errorExample(code) },
        },
      },
    };
  }
  return responses;
}

/** `tasks.addMember` → `tasksAddMember`. */
const operationId = (path: string) =>
  path.replace(/\.(\w)/g, (_, letter: string) => letter.toUpperCase());

/** The zod schema of a procedure's input, when it has one. */
function inputOf(procedure: AnyTRPCProcedure): z.ZodType | undefined {
  const { inputs } = procedure._def as { inputs?: unknown[] };
  const parsers = (inputs ?? []).filter(
    (parser): parser is z.ZodType => parser instanceof z.ZodType,
  );
  if (parsers.length === 0) return undefined;
  return parsers.reduce((all, parser) => z.intersection(all, parser));
}

/** The zod schema of what an undocumented procedure answers (its `.output()`), when it has one. */
function declaredOutputOf(procedure: AnyTRPCProcedure): z.ZodType | undefined {
  const { output } = procedure._def as { output?: unknown };
  return output instanceof z.ZodType ? output : undefined;
}

/** What the router's procedures answer: their named schemas, and their envelopes. */
function outputSchemas(): Record<string, z.ZodType> {
  const named: Record<string, z.ZodType> = {};
  const docs: readonly OperationDoc<unknown, unknown>[] = Object.values(OPERATION_DOCS);
  for (const { output } of docs) {
    if (named[output.name] !== undefined && named[output.name] !== output.schema) {
      throw new Error(`Two output schemas are named ${output.name}.`);
    }
    named[output.name] = output.schema;
  }
  const envelopes: Record<string, z.ZodType> = {};
  for (const [name, schema] of Object.entries(named)) {
    envelopes[`${name}Result`] = z.object({ result: z.object({ data: schema }) });
  }
  return {
    ...named,
    ...envelopes,
    Error: z.object({ error: taskpulseErrorShapeSchema }),
  };
}

interface ProcedureOperation {
  readonly path: string;
  readonly method: 'get' | 'post';
  readonly operation: oas31.OperationObject;
}

function procedureOperation(
  path: string,
  procedure: AnyTRPCProcedure,
  basePath: string,
): ProcedureOperation {
  const type = procedure._def.type;
  const doc = (OPERATION_DOCS as Partial<Record<string, OperationDoc<unknown, unknown>>>)[path];
  const authed = isAuthenticatedProcedure(procedure);
  const input = inputOf(procedure);
  const inputRequired = input !== undefined && !input.safeParse(undefined).success;
  const example = doc?.example;
  const method = type === 'mutation' ? 'post' : 'get';

  const parameters: oas31.ParameterObject[] = [];
  let requestBody: oas31.RequestBodyObject | undefined;
  if (input !== undefined) {
    const media: oas31.MediaTypeObject = {
      schema: schemaOf(input, 'input'),
      ...(example?.input !== undefined && { example: example.input }),
    };
    if (method === 'get') {
      parameters.push({
        name: 'input',
        in: 'query',
        required: inputRequired,
        description: `The input, as JSON (URL-encoded): \`?input=${encodeURIComponent(JSON.stringify(example?.input ?? {}))}\`.${inputRequired ? '' : ' Optional.'}`,
        content: { 'application/json': media },
      });
    } else {
      requestBody = { required: inputRequired, content: { 'application/json': media } };
    }
  }
  if (type === 'subscription') {
    parameters.push({
      name: 'connectionParams',
      in: 'query',
      required: false,
      description:
        'tRPC connection params as JSON, e.g. `{"token":"<JWT>"}`: the token for clients that cannot send an Authorization header (a browser’s EventSource). It travels in the URL: keep it out of logs.',
      content: {
        'application/json': {
          schema: schemaOf(z.object({ token: z.string().optional() }), 'input'),
        },
      },
    });
  }

  const keyed = type === 'mutation' && authed && doc?.idempotencyKey !== false;
  if (keyed) {
    parameters.push({
      name: IDEMPOTENCY_KEY_HEADER,
      in: 'header',
      required: false,
      description:
        'Makes the call retry-safe: per user and key it is carried out at most once for 24 hours, and a repeat answers the first result (same status and body). The same key with another input is `409 CONFLICT` and writes nothing; a repeat sent while the first is under way waits for it. 1–255 visible ASCII characters, e.g. a UUID (a quoted structured-field string is accepted too). In a batch, one key per call in order, separated by commas.',
      schema: schemaOf(
        z
          .string()
          .min(1)
          .max(255)
          .regex(/^[\x21-\x7e]+$/),
        'input',
      ),
      example: '8e03978e-40d5-43e8-bc93-6894a57f9324',
    });
  }

  const responses: Responses = {};
  if (type === 'subscription') {
    const data = example?.output === undefined ? '{…}' : JSON.stringify(example.output);
    responses['200'] = {
      description: `Server-sent events; the data of each message is a ${doc?.output.name ?? 'JSON value'} (\`#/components/schemas/${doc?.output.name ?? ''}\`).`,
      headers: REQUEST_ID_HEADER,
      content: {
        'text/event-stream': {
          schema: schemaOf(z.string(), 'output'),
          example: `event: connected\ndata: {"reconnectAfterInactivityMs":30000}\n\nid: 1\ndata: ${data}\n\n`,
        },
      },
    };
  } else {
    const declared = doc ? undefined : declaredOutputOf(procedure);
    responses['200'] = {
      description: 'The answer, in `result.data`.',
      headers: REQUEST_ID_HEADER,
      content: {
        'application/json': {
          schema: doc
            ? ref('schemas', `${doc.output.name}Result`)
            : schemaOf(z.object({ result: z.object({ data: declared ?? z.unknown() }) }), 'output'),
          ...(example && { example: { result: { data: example.output } } }),
        },
      },
    };
  }
  const errors: ErrorCode[] = [];
  if (input !== undefined || method === 'post') errors.push('BAD_REQUEST');
  if (authed) errors.push('UNAUTHORIZED');
  const domain: readonly DomainError[] = doc?.errors ?? [];
  errors.push(...domain);
  // a reused Idempotency-Key with another input
  if (keyed && !domain.includes('CONFLICT')) errors.push('CONFLICT');
  if (method === 'post') errors.push('PAYLOAD_TOO_LARGE');
  errors.push('TOO_MANY_REQUESTS');
  if (authed) errors.push('SERVICE_UNAVAILABLE');
  for (const code of errors)
    responses[String(httpStatusOf(code))] = ref('responses', ERRORS[code][0]);
  responses.default = ref('responses', ERRORS.INTERNAL_SERVER_ERROR[0]);

  const tag = path.includes('.')
    ? path.slice(0, path.indexOf('.'))
    : path === 'me'
      ? 'me'
      : 'server';
  const operation: oas31.OperationObject = {
    operationId: operationId(path),
    summary: doc?.summary ?? path,
    ...(doc?.description !== undefined && { description: doc.description }),
    tags: [tag],
    ...(!authed && { security: [] }),
    ...(parameters.length > 0 && { parameters }),
    ...(requestBody && { requestBody }),
    responses,
  };
  return { path: `${basePath}/${path}`, method, operation };
}

function plainPaths(input: OpenApiDocumentInput): oas31.PathsObject {
  const jsonAnswer = (description: string, schema: z.ZodType, example: unknown) => ({
    description,
    headers: REQUEST_ID_HEADER,
    content: { 'application/json': { schema: schemaOf(schema, 'output'), example } },
  });
  const paths: oas31.PathsObject = {
    '/health/live': {
      get: {
        operationId: 'healthLive',
        summary: 'Liveness: 200 while the process runs',
        tags: ['server'],
        security: [],
        responses: {
          '200': jsonAnswer('The process runs.', livenessSchema, { status: 'ok' }),
        },
      },
    },
    '/health/ready': {
      get: {
        operationId: 'healthReady',
        summary: 'Readiness: 200 when the database answers, 503 when it does not',
        tags: ['server'],
        security: [],
        responses: {
          '200': jsonAnswer('The database answers.', readinessSchema, {
            status: 'ok',
            database: 'up',
          }),
          '503': jsonAnswer('The database does not answer.', readinessSchema, {
            status: 'unavailable',
            database: 'down',
          }),
        },
      },
    },
  };
  if (input.metricsPath !== false) {
    paths[input.metricsPath] = {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics (text exposition format)',
        description:
          'Requests and their durations by procedure and outcome, SQL query durations, cache hits and misses, rate-limited calls and process figures. No user data.',
        tags: ['server'],
        security: [],
        responses: {
          '200': {
            description: 'The metrics.',
            content: {
              [input.metricsContentType]: {
                schema: schemaOf(z.string(), 'output'),
                example:
                  '# HELP taskpulse_requests_total Calls by procedure and outcome.\n# TYPE taskpulse_requests_total counter\ntaskpulse_requests_total{procedure="tasks.create",outcome="ok"} 12\n',
              },
            },
          },
        },
      },
    };
  }
  return paths;
}

function description(input: OpenApiDocumentInput): string {
  const base = input.basePath;
  return [
    input.openapi.info.description ??
      'The taskpulse API: tasks with sharing and teams, AI-chat history, and live dashboard statistics.',
    '',
    `Procedures are served under \`${base}\` in tRPC’s plain JSON wire format (no transformer), so any HTTP client can call them:`,
    '',
    `- **Queries** are \`GET ${base}/<procedure>\` with the input as URL-encoded JSON in \`?input=\` (left out when there is none).`,
    `- **Mutations** are \`POST ${base}/<procedure>\` with the input as a JSON body (\`Content-Type: application/json\`).`,
    '- **Answers** are `{ "result": { "data": … } }`; instants are ISO-8601 strings.',
    '- **Errors** are `{ "error": { "message", "code", "data": { "code", "httpStatus", "path", "issues" } } }` with the HTTP status of `data.code`; invalid input is `400 BAD_REQUEST` with `data.issues: [{ path, message }]`, one per bad field.',
    '- **Auth**: `Authorization: Bearer <JWT>` on every procedure but `health` (a token the server verifies; its `sub` is the user).',
    '- **Rate limits**: `429 TOO_MANY_REQUESTS` with a `Retry-After` header (seconds) and `data.retryAfterMs`.',
    `- **Batching** (what tRPC clients do): \`${base}/a,b?batch=1\` with input \`{"0": …, "1": …}\` answers an array of results, at most ${input.maxBatchSize} calls. This document describes single calls.`,
    '- **Retries**: a mutation sent with an `Idempotency-Key` header is carried out at most once per user and key for 24 hours; a repeat answers the first result, the same key with another input is `409 CONFLICT`. A batch sends one key per call: `Idempotency-Key: k1, k2`.',
    '- Every response carries an `x-request-id` header (the request’s `x-request-id` when it sent a sane one), also in the server’s logs.',
  ].join('\n');
}

/**
 * The OpenAPI 3.1 document of a taskpulse HTTP API as it is on the wire: one operation per
 * procedure of the router (queries `GET` with `?input=`, mutations `POST` with a JSON body,
 * subscriptions `GET` server-sent events), their schemas from the procedures' zod validators and
 * core's output schemas, the error envelope, bearer auth, `/health/*`, the metrics and what the
 * other routes add.
 */
export function createOpenApiDocument(input: OpenApiDocumentInput): oas31.OpenAPIObject {
  const paths: oas31.PathsObject = {};
  const procedures = Object.entries(
    input.router._def.procedures as Record<string, AnyTRPCProcedure>,
  );
  for (const [name, procedure] of procedures) {
    const { path, method, operation } = procedureOperation(name, procedure, input.basePath);
    paths[path] = { ...paths[path], [method]: operation };
  }
  Object.assign(paths, plainPaths(input));
  const tags = [...TAGS];
  for (const route of input.routes) {
    Object.assign(paths, route.paths);
    tags.push(...(route.tags ?? []));
  }
  const schemas = wireJsonSchemas(outputSchemas(), 'output', {
    ref: (name) => ref('schemas', name).$ref,
  });
  const { title, version } = input.openapi.info;
  return {
    openapi: '3.1.0',
    info: { title, version: version ?? input.version, description: description(input) },
    ...(input.openapi.servers.length > 0 && { servers: [...input.openapi.servers] }),
    tags,
    paths,
    components: {
      schemas: Object.fromEntries(
        Object.entries(schemas).map(([key, json]) => [key, asSchema(json)]),
      ),
      responses: errorResponses(),
      headers: {
        RequestId: {
          description: 'The request’s id, also in the server’s log line of the request.',
          schema: schemaOf(z.string(), 'output'),
        },
        RetryAfter: {
          description: 'Seconds until a retry may succeed.',
          schema: schemaOf(z.number().int().min(1), 'output'),
        },
      },
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A token of the identity provider the server is configured with (HS256 with a shared secret, or RS256/ES256 from a JWKS); `sub` is the user id.',
        },
      },
    },
    security: [{ bearerAuth: [] }],
  };
}
