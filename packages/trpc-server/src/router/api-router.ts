import type {
  TRPCBuiltRouter,
  TRPCCreateRouterOptions,
  TRPCDecorateCreateRouterOptions,
} from '@trpc/server';
import type { TaskpulseErrorShape } from '../errors/index.ts';
import type { TaskpulseBuilders } from './builders.ts';
import { taskpulseProcedures } from './procedures.ts';

/**
 * The root types a client of the taskpulse API relies on: taskpulse's error shape and no
 * transformer. The context is opaque: it is the server's business, and its type would reach
 * into the server's dependencies (MikroORM, pino, node-postgres).
 */
export interface TaskpulseApiRootTypes {
  ctx: object;
  meta: object;
  errorShape: TaskpulseErrorShape;
  transformer: false;
}

// Never called. Its inferred return type is what the declaration build writes out in full, as
// plain inputs and outputs; `ReturnType<typeof taskpulseProcedures>` would name the builders'
// type instead, and through it the runtime's (logger, ORM, database driver).
const apiProcedures = () => taskpulseProcedures(undefined as unknown as TaskpulseBuilders);

/** Every procedure of the taskpulse API, as a router record whose types are plain data. */
export type TaskpulseApiProcedures = ReturnType<typeof apiProcedures>;

/**
 * The type of the taskpulse API as clients see it: every procedure of the standalone router
 * (`TExtra`: those added with `extend`), its error shape, and an opaque context. Import it with
 * `import type` in a client: its declarations need `@trpc/server` and nothing of the server's
 * runtime (no MikroORM, pino or node-postgres types).
 *
 * @example
 * ```ts
 * const client = createTRPCClient<TaskpulseApiRouter>({ links });
 * ```
 */
export type TaskpulseApiRouter<TExtra extends TRPCCreateRouterOptions = Record<never, never>> =
  TRPCBuiltRouter<
    TaskpulseApiRootTypes,
    TRPCDecorateCreateRouterOptions<TaskpulseApiProcedures & TExtra>
  >;
