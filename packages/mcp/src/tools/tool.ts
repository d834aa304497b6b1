import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { Taskpulse, TaskpulseContext } from '@taskpulse/core';
import { z } from 'zod';

/** Who a tool acts for, and the taskpulse it acts on. */
export interface ToolSession {
  /** The open taskpulse (its dashboard serves the figures through the statistics cache). */
  readonly taskpulse: Taskpulse;
  /** The core context of the user the agent acts for. */
  readonly context: TaskpulseContext;
}

/** What a tool answers: its structured result, and a short summary for the model to read. */
export interface ToolAnswer<T> {
  readonly data: T;
  /** Markdown, a few lines: what was found or done, and what to call next. */
  readonly summary: string;
}

/**
 * An MCP tool over taskpulse's domain. Its input and output are core's zod schemas (or
 * objects made of them), so that an agent sends and receives exactly what the tRPC API does.
 */
export interface TaskpulseTool<
  Input extends z.ZodType = z.ZodType,
  Output extends z.ZodObject = z.ZodObject,
> {
  /** kebab-case, verb first: `find-tasks`, `add-tasks`, `get-dashboard`. */
  readonly name: string;
  /** A human title. */
  readonly title: string;
  /** For the model: when to use the tool, what to pass, and what to call next. */
  readonly description: string;
  readonly input: Input;
  readonly output: Output;
  /** Every hint set; `openWorldHint` is false for every taskpulse tool (it only touches taskpulse). */
  readonly annotations: Required<
    Pick<ToolAnnotations, 'readOnlyHint' | 'destructiveHint' | 'idempotentHint' | 'openWorldHint'>
  >;
  /** Carries the call out for the session's user; throws a `TaskpulseError` on a domain error. */
  run(session: ToolSession, input: z.output<Input>): Promise<ToolAnswer<z.input<Output>>>;
}

/** Annotations of a tool that only reads. */
export const READ_ONLY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

/** Annotations of a tool that writes; `destructive` when it deletes or takes access away. */
export const writes = (hints: { destructive: boolean; idempotent: boolean }) =>
  ({
    readOnlyHint: false,
    destructiveHint: hints.destructive,
    idempotentHint: hints.idempotent,
    openWorldHint: false,
  }) as const;

/** Declares a tool, with its types checked against its schemas. */
export function defineTool<Input extends z.ZodType, Output extends z.ZodObject>(
  tool: TaskpulseTool<Input, Output>,
): TaskpulseTool<Input, Output> {
  return tool;
}

/** The most characters of a batch tool's key: each item's write takes `<key>#<index>`. */
const BATCH_KEY_MAX = 251;

const idempotencyKeyField = (max: number, batch: boolean) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\x21-\x7e]+$/, 'visible ASCII characters only')
    .optional()
    .describe(
      `Optional retry key (1–${max} visible ASCII characters, e.g. a UUID): send the same key when retrying a call whose answer was lost, and the write is carried out at most once (for 24 hours); the retry answers the first result. The same key with other arguments is a CONFLICT.${batch ? ' Each item is written under `<key>#<index>`.' : ''} A new call needs a new key.`,
    );

/**
 * A write tool's input: the core schema, plus an optional `idempotencyKey` that makes the call
 * retry-safe (core's `{ idempotencyKey }` option; batch tools derive one key per item).
 */
export function withIdempotencyKey<
  Shape extends z.ZodRawShape,
  Config extends z.core.$ZodObjectConfig,
>(schema: z.ZodObject<Shape, Config>, { batch = false } = {}) {
  const extra = { idempotencyKey: idempotencyKeyField(batch ? BATCH_KEY_MAX : 255, batch) };
  // safeExtend keeps the schema's refinements; its generic check cannot see that the key is new
  return (schema as z.ZodObject).safeExtend(extra) as unknown as z.ZodObject<
    z.core.util.Extend<Shape, typeof extra>,
    Config
  >;
}

/** The key of item `index` of a batch tool called with `key`. */
export const itemKey = (key: string | undefined, index: number): string | undefined =>
  key === undefined ? undefined : `${key}#${index}`;
