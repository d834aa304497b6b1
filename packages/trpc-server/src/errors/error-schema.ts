import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { z } from 'zod';

const TRPC_CODES = Object.keys(TRPC_ERROR_CODES_BY_KEY) as [
  TRPC_ERROR_CODE_KEY,
  ...TRPC_ERROR_CODE_KEY[],
];

/** The `data.issues` entry of a validation failure: one bad field. */
const issueSchema = z.object({
  path: z
    .array(z.union([z.string(), z.number().int()]))
    .describe('Where the field is in the input, e.g. ["title"]; empty for the input as a whole.'),
  message: z.string().describe('What is wrong with it.'),
});

/**
 * The error shape of every taskpulse error response, as a zod schema: the
 * `TaskpulseErrorShape` that JSON clients receive as `{ error: … }` (a batch: one per
 * call). For OpenAPI documents and for clients that validate what they receive.
 */
export const taskpulseErrorShapeSchema = z.object({
  message: z
    .string()
    .describe(
      'What is wrong and what to do; for BAD_REQUEST from validation, each bad field. Never SQL, a stack or another user’s data.',
    ),
  code: z
    .literal(Object.values(TRPC_ERROR_CODES_BY_KEY))
    .describe('The JSON-RPC 2.0 error code tRPC gives the error, e.g. -32600 for BAD_REQUEST.'),
  data: z.object({
    code: z.enum(TRPC_CODES).describe('The error code, e.g. BAD_REQUEST or NOT_FOUND.'),
    httpStatus: z.number().int().describe('The HTTP status the code is answered with.'),
    path: z.string().optional().describe('The procedure that failed, e.g. tasks.create.'),
    issues: z
      .array(issueSchema)
      .optional()
      .describe('For BAD_REQUEST from validation: each bad field, by its path in the input.'),
    retryAfterMs: z
      .number()
      .int()
      .optional()
      .describe('For TOO_MANY_REQUESTS: milliseconds until a retry may succeed.'),
  }),
});
