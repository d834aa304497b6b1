import { z } from 'zod';
import { TaskpulseError } from '../errors/taskpulse-error.ts';

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

/** What every wire conversion passes to zod: draft 2020-12, instants as ISO strings. */
function conversionParams(io: 'input' | 'output') {
  return {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === 'date') {
        Object.assign(jsonSchema, { type: 'string', format: 'date-time', $comment: DATE_MARK });
      }
    },
  } satisfies z.core.ToJSONSchemaParams;
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
  const json = z.toJSONSchema(schema, conversionParams(io));
  const { $schema: _, ...rest } = dropDateBranches(json) as JsonSchemaObject;
  return rest;
}

/**
 * {@link wireJsonSchema} for a set of named schemas at once, such as the components of an
 * OpenAPI document: where one of them holds another (a page holds tasks), it refers to it as
 * `{ $ref: ref(name) }` instead of repeating it. A schema given under two names is an error.
 *
 * @example
 * ```ts
 * wireJsonSchemas({ Task: taskSchema, TaskPage: pageSchema(taskSchema) }, 'output', {
 *   ref: (name) => `#/components/schemas/${name}`,
 * }); // TaskPage.properties.items.items is { $ref: '#/components/schemas/Task' }
 * ```
 */
export function wireJsonSchemas(
  schemas: Readonly<Record<string, z.ZodType>>,
  io: 'input' | 'output',
  options: { ref: (name: string) => string },
): Record<string, JsonSchemaObject> {
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries(schemas)) {
    const taken = registry.get(schema)?.id;
    if (taken !== undefined) {
      throw new TaskpulseError(
        'VALIDATION',
        `wireJsonSchemas: one schema is named both ${taken} and ${name}; give it one name.`,
      );
    }
    registry.add(schema, { id: name });
  }
  const { schemas: converted } = z.toJSONSchema(registry, {
    ...conversionParams(io),
    uri: options.ref,
  });
  const result: Record<string, JsonSchemaObject> = {};
  for (const [name, json] of Object.entries(converted)) {
    const { $schema: _, $id: __, ...rest } = dropDateBranches(json) as JsonSchemaObject;
    result[name] = rest;
  }
  return result;
}
