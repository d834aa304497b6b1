import { z } from 'zod';

/** A JSON Schema object (draft 2020-12), as {@link wireJsonSchema} makes one. */
export type JsonSchemaObject = Record<string, unknown>;

// what a `Date` accepted beside ISO strings becomes before the union it sits in is cleaned up
const DATE_MARK = 'taskpulse:date';

const isDateBranch = (branch: unknown) =>
  (branch as { $comment?: unknown } | null)?.$comment === DATE_MARK;

/**
 * Drops the `Date` branch of every union that also takes an ISO string (a lone `Date` stays
 * an ISO string), recursively.
 */
function dropDateBranches(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropDateBranches);
  if (typeof node !== 'object' || node === null) return node;
  let source = node as Record<string, unknown>;
  const { anyOf } = source;
  if (Array.isArray(anyOf) && anyOf.some(isDateBranch)) {
    const { anyOf: _, ...rest } = source;
    const kept = anyOf.filter((branch) => !isDateBranch(branch));
    source = kept.length === 1 ? { ...rest, ...(kept[0] as object) } : { ...rest, anyOf: kept };
  }
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === '$comment' && value === DATE_MARK) continue;
    result[key] = dropDateBranches(value);
  }
  return result;
}

/**
 * The JSON Schema (draft 2020-12, without `$schema`) of one of taskpulse's zod schemas as the
 * value looks on the wire: what a client sends (`io: 'input'`: defaults are optional) or what
 * it receives (`'output'`). Instants, which TypeScript callers may also pass as `Date`s, are
 * ISO-8601 strings on the wire. For MCP tool schemas, OpenAPI documents and other JSON clients.
 *
 * @example
 * ```ts
 * wireJsonSchema(createTaskInput, 'input'); // { type: 'object', properties: { title: … } }
 * ```
 */
export function wireJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchemaObject {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === 'date') {
        Object.assign(jsonSchema, { type: 'string', format: 'date-time', $comment: DATE_MARK });
      }
    },
  });
  const { $schema: _, ...rest } = dropDateBranches(json) as JsonSchemaObject;
  return rest;
}
