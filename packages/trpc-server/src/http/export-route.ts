import {
  type ExportRecord,
  exportRecordSchema,
  exportUserData,
  wireJsonSchema,
} from '@taskpulse/core';
import { TRPCError } from '@trpc/server';
import { create as contentDisposition } from 'content-disposition';
import type { oas31 } from 'openapi3-ts';
import { z } from 'zod';
import { toTRPCError } from '../errors/index.ts';
import type { TaskpulseRouteOpenApi } from '../openapi/index.ts';
import type { TaskpulseRuntime } from '../runtime/index.ts';
import type { TaskpulseRoute } from './routes.ts';

/** Where the data export is served, beside `/trpc`. */
export const EXPORT_PATH = '/me/export';

/** The media type of the export: newline-delimited JSON, one record a line. */
export const NDJSON = 'application/x-ndjson';

/** How many bytes of lines are gathered into one chunk of the response. */
const CHUNK_BYTES = 64 * 1024;

/**
 * The export's file name: `taskpulse-export-<user>-<YYYY-MM-DD>.ndjson`, with the characters
 * that file systems refuse (`/ \ : * ? " < > |` and controls) replaced by `_`.
 */
export function exportFileName(userId: string, at: Date): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  const safe = userId.replace(/[/\\:*?"<>|\u0000-\u001f\u007f]/g, '_');
  return `taskpulse-export-${safe}-${at.toISOString().slice(0, 10)}.ndjson`;
}

/**
 * `GET /me/export`: everything of the caller (core's `exportUserData`) as NDJSON, one record a
 * line, streamed as it is read (the client's pace sets the reading pace: a slow reader holds
 * one chunk, not the export), with a `Content-Disposition` file name. Bearer auth, the API's
 * rate limits (once per IP, once per user), one log line and the request metrics under the
 * procedure name `me.export`.
 */
export function createExportRoute(runtime: TaskpulseRuntime): TaskpulseRoute {
  return {
    paths: [EXPORT_PATH],
    openapi: exportOpenApi(),
    handle: async (request, context) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return new Response(JSON.stringify({ error: { message: `Use GET for ${EXPORT_PATH}.` } }), {
          status: 405,
          headers: { allow: 'GET, HEAD', 'content-type': 'application/json' },
        });
      }
      const started = performance.now();
      const observe = (outcome: string) => {
        const durationMs = performance.now() - started;
        runtime.metrics.observeCall('me.export', outcome, durationMs);
        return Math.round(durationMs);
      };
      const { ip } = context.request;
      let session: Awaited<ReturnType<typeof context.request.authenticate>>;
      try {
        if (ip !== undefined) await context.rateLimit('ip', ip);
        session = await context.request.authenticate();
        await context.rateLimit('user', session.caller.id);
      } catch (error) {
        const code = error instanceof TRPCError ? error.code : 'INTERNAL_SERVER_ERROR';
        context.recordCall({ procedure: 'me.export', outcome: code, durationMs: observe(code) });
        throw error;
      }
      const records = exportUserData(session.taskpulse);
      // the first record before the answer: a failure to read is then a status, not a cut stream
      let first: IteratorResult<ExportRecord>;
      try {
        first = await records.next();
      } catch (error) {
        const refused = toTRPCError(error);
        context.recordCall({
          procedure: 'me.export',
          outcome: refused.code,
          durationMs: observe(refused.code),
        });
        throw refused;
      }
      // the log line is written with the headers; the metrics when the stream ends
      context.recordCall({ procedure: 'me.export', outcome: 'ok', durationMs: 0 });
      const headers = {
        'content-type': `${NDJSON}; charset=utf-8`,
        'content-disposition': contentDisposition(
          exportFileName(session.caller.id, session.taskpulse.now()),
        ),
        'cache-control': 'no-store',
      };
      if (request.method === 'HEAD') {
        await records.return(undefined);
        observe('ok');
        return new Response(null, { status: 200, headers });
      }
      const encoder = new TextEncoder();
      let pending = first.done ? undefined : first.value;
      let finished = false;
      const finish = (outcome: string) => {
        if (finished) return;
        finished = true;
        observe(outcome);
      };
      const body = new ReadableStream<Uint8Array>(
        {
          // one chunk of lines per pull: pulled again only when the client took the last one
          async pull(controller) {
            try {
              let chunk = '';
              while (pending !== undefined && chunk.length < CHUNK_BYTES) {
                chunk += `${JSON.stringify(pending)}\n`;
                const next = await records.next();
                pending = next.done ? undefined : next.value;
              }
              if (chunk) controller.enqueue(encoder.encode(chunk));
              if (pending === undefined) {
                controller.close();
                finish('ok');
              }
            } catch (error) {
              // the status is sent: a cut stream (no final newline) is how the client learns
              const failed = toTRPCError(error);
              context.request.logger.error({ err: error }, 'export failed while streaming');
              finish(failed.code);
              controller.error(failed);
            }
          },
          async cancel() {
            finish('CLIENT_CLOSED_REQUEST');
            await records.return(undefined);
          },
        },
        { highWaterMark: 1 },
      );
      return new Response(body, { status: 200, headers });
    },
  };
}

/** What the OpenAPI document says of `GET /me/export`. */
function exportOpenApi(): TaskpulseRouteOpenApi {
  const refusal = (description: string, code: string, extra?: oas31.HeadersObject) => ({
    description,
    headers: { 'x-request-id': { $ref: '#/components/headers/RequestId' }, ...extra },
    content: {
      'application/json': {
        schema: wireJsonSchema(routeErrorSchema, 'output') as oas31.SchemaObject,
        example: { error: { message: description, code } },
      },
    },
  });
  const example: ExportRecord[] = [
    {
      type: 'user',
      id: 'auth0|alice',
      email: 'alice@example.com',
      name: 'Alice',
      createdAt: '2026-03-01T08:00:00.000Z',
    },
    {
      type: 'conversation',
      id: '0198c3a4-5b6c-7d8e-9f01-a2b3c4d5e6f7',
      title: 'Plan the launch',
      createdAt: '2026-03-02T09:00:00.000Z',
      updatedAt: '2026-03-02T09:05:00.000Z',
    },
  ];
  const paths: oas31.PathsObject = {
    [EXPORT_PATH]: {
      get: {
        operationId: 'meExport',
        summary: 'Export everything of the calling user (NDJSON)',
        description: [
          'Everything the caller owns or was given, one JSON record a line (`application/x-ndjson`), each with a `type`: `user` (first), `task` (owned), `share` (shares of the caller’s tasks, `direction: "given"`, then shares of other people’s tasks with the caller, `direction: "received"`), `team` (owned), `membership`, `conversation` (each followed by its `message`s). The fields of each record are those the API answers for that kind of object (the schema of one line is given).',
          'Streamed as it is read, in constant memory on the server whatever the size; the `Content-Disposition` header names the file `taskpulse-export-<user>-<date>.ndjson`. A stream cut before its last newline failed part way: fetch it again.',
          'The rows are read in pages, not in one snapshot: a row written during the export may or may not be in it.',
        ].join('\n\n'),
        tags: ['me'],
        responses: {
          '200': {
            description: 'The export, one record a line.',
            headers: {
              'content-disposition': {
                description: 'attachment; filename="taskpulse-export-<user>-<YYYY-MM-DD>.ndjson"',
                schema: { type: 'string' },
              },
              'x-request-id': { $ref: '#/components/headers/RequestId' },
            },
            content: {
              [NDJSON]: {
                schema: wireJsonSchema(exportRecordSchema, 'output') as oas31.SchemaObject,
                example: example.map((record) => JSON.stringify(record)).join('\n'),
              },
            },
          },
          '401': refusal(
            'No token, or one that is not valid (the `WWW-Authenticate: Bearer` header says so).',
            'UNAUTHORIZED',
          ),
          '405': refusal('Use GET (or HEAD).', 'METHOD_NOT_SUPPORTED'),
          '429': refusal(
            'Over the rate limit: retry after `Retry-After` seconds.',
            'TOO_MANY_REQUESTS',
            {
              'retry-after': { $ref: '#/components/headers/RetryAfter' },
            },
          ),
          '503': refusal('The database cannot be reached; retry later.', 'SERVICE_UNAVAILABLE'),
        },
      },
    },
  };
  return { paths };
}

/** The body of a refused export: what is wrong, and the tRPC code of it. */
const routeErrorSchema = z.object({
  error: z.object({ message: z.string(), code: z.string().optional() }),
});
