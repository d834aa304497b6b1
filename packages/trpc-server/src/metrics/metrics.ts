import type { TaskpulseConfig } from '@taskpulse/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { currentCallScope } from '../context/call-scope.ts';
import type { RateLimitScope } from '../errors/index.ts';
import { createDefaultLogger, redactSql, type TaskpulseLogger } from '../logging/index.ts';

/** One SQL statement as core's `onQuery` option reports it. */
export type QueryEvent = Parameters<NonNullable<TaskpulseConfig['onQuery']>>[0];

/** Running totals of a cache, read when metrics are scraped. */
export interface CacheCounts {
  readonly hits: number;
  readonly misses: number;
}

/**
 * One MCP operation (a JSON-RPC request or notification an MCP server handled), with the
 * attributes of the OpenTelemetry MCP semantic conventions.
 */
export interface McpOperation {
  /** `mcp.method.name`: `initialize`, `tools/list`, `tools/call`, … */
  readonly method: string;
  /** `gen_ai.tool.name`, for `tools/call`. */
  readonly toolName?: string | undefined;
  /**
   * `error.type`, when the operation failed: `tool_error` for a tool result with `isError`,
   * the JSON-RPC error code (`-32602`) for an error response, `_OTHER` otherwise.
   */
  readonly errorType?: string | undefined;
  /** `network.transport`: `tcp` for Streamable HTTP, `pipe` for stdio. */
  readonly transport: 'tcp' | 'pipe';
  /** `mcp.protocol.version`, when known. */
  readonly protocolVersion?: string | undefined;
  readonly durationMs: number;
}

/** Options of {@link createTaskpulseMetrics}. */
export interface TaskpulseMetricsOptions {
  /** The registry to register in. @default a new registry, so that two servers in one process keep apart */
  registry?: Registry;
  /** Also collect prom-client's default process metrics (CPU, memory, event loop). @default true */
  defaultMetrics?: boolean;
  /** Queries that take at least this long are counted and logged as slow. @default 100 */
  slowQueryMs?: number;
  /**
   * Where slow queries outside any procedure call are logged (those inside one go to the
   * request's logger, with its request id). @default the default taskpulse logger
   */
  logger?: TaskpulseLogger;
}

/**
 * The Prometheus metrics of one taskpulse API:
 * - `taskpulse_requests_total{procedure,outcome}` and `taskpulse_request_duration_seconds` —
 *   every procedure call, by outcome (`ok` or the tRPC code);
 * - `taskpulse_db_query_duration_seconds{procedure}` and `taskpulse_db_slow_queries_total` —
 *   every SQL statement, attributed to the procedure that caused it (wire {@link observeQuery}
 *   into `createTaskpulse({ onQuery })`);
 * - `taskpulse_cache_hits_total{cache}` / `taskpulse_cache_misses_total{cache}` — read from the
 *   sources given to {@link observeCache} when scraped;
 * - `taskpulse_rate_limited_total{scope}` — calls refused by a rate limit;
 * - `taskpulse_live_streams` — `dashboard.live` streams open now (a gauge);
 * - `mcp_server_operation_duration_seconds{mcp_method_name,gen_ai_tool_name,error_type,
 *   network_transport,mcp_protocol_version}` — every MCP operation, as the OpenTelemetry MCP
 *   semantic conventions name `mcp.server.operation.duration` (see `@taskpulse/mcp`).
 */
export interface TaskpulseMetrics {
  /** The registry everything is registered in; `/metrics` serves it. */
  readonly registry: Registry;
  /** The slow-query threshold in milliseconds. */
  readonly slowQueryMs: number;
  /**
   * Records one SQL statement; pass it as core's `onQuery`. Slow ones are logged with the
   * procedure that ran them and the statement with its values replaced by `?`.
   */
  readonly observeQuery: (query: QueryEvent) => void;
  /** Records one procedure call. */
  observeCall(procedure: string, outcome: string, durationMs: number): void;
  /** Records one call refused by a rate limit. */
  observeRateLimited(scope: RateLimitScope): void;
  /** Records a `dashboard.live` stream opened (`1`) or ended (`-1`). */
  observeLiveStreams(delta: 1 | -1): void;
  /** Records one MCP operation. */
  observeMcpOperation(operation: McpOperation): void;
  /**
   * Reports a cache's running hit and miss totals, read at scrape time.
   *
   * @example
   * ```ts
   * metrics.observeCache(() => ({ hits: cache.hits, misses: cache.misses }), { name: 'stats' });
   * ```
   */
  observeCache(source: () => CacheCounts, options?: { name?: string }): void;
  /** The metrics in Prometheus text format. */
  render(): Promise<string>;
  /** The content type of {@link render}'s text. */
  readonly contentType: string;
}

// from 1 ms to 10 s: procedure calls and queries share the scale
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// the buckets the OpenTelemetry MCP semantic conventions advise for operation durations
const MCP_DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/**
 * Creates the metrics of one taskpulse API, each in its own registry unless one is given.
 *
 * @example
 * ```ts
 * const metrics = createTaskpulseMetrics();
 * const tp = await createTaskpulse({ database, onQuery: metrics.observeQuery });
 * const server = createTaskpulseServer({ taskpulse: tp, auth, metrics });
 * ```
 */
export function createTaskpulseMetrics(options: TaskpulseMetricsOptions = {}): TaskpulseMetrics {
  const registry = options.registry ?? new Registry();
  const slowQueryMs = options.slowQueryMs ?? 100;
  let fallbackLogger = options.logger;
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'taskpulse_requests_total',
    help: 'Procedure calls, by procedure and outcome (ok or the tRPC error code).',
    labelNames: ['procedure', 'outcome'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'taskpulse_request_duration_seconds',
    help: 'How long procedure calls took, by procedure and outcome.',
    labelNames: ['procedure', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const queries = new Histogram({
    name: 'taskpulse_db_query_duration_seconds',
    help: 'How long SQL statements took, by the procedure that ran them ((none) outside calls).',
    labelNames: ['procedure'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const slowQueries = new Counter({
    name: 'taskpulse_db_slow_queries_total',
    help: `SQL statements at or over the slow-query threshold (${slowQueryMs} ms), by procedure.`,
    labelNames: ['procedure'] as const,
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'taskpulse_rate_limited_total',
    help: 'Calls refused by a rate limit, by scope (ip before authentication, user after).',
    labelNames: ['scope'] as const,
    registers: [registry],
  });
  const liveStreams = new Gauge({
    name: 'taskpulse_live_streams',
    help: 'dashboard.live streams open now.',
    registers: [registry],
  });

  const mcpOperations = new Histogram({
    name: 'mcp_server_operation_duration_seconds',
    help: 'MCP requests and notifications as the server handled them (OpenTelemetry mcp.server.operation.duration).',
    labelNames: [
      'mcp_method_name',
      'gen_ai_tool_name',
      'error_type',
      'network_transport',
      'mcp_protocol_version',
    ] as const,
    buckets: MCP_DURATION_BUCKETS,
    registers: [registry],
  });

  const caches = new Map<string, () => CacheCounts>();
  const readCaches = (pick: (counts: CacheCounts) => number) =>
    function (this: Counter<'cache'>) {
      this.reset();
      for (const [name, source] of caches) {
        try {
          this.inc({ cache: name }, pick(source()));
        } catch {
          // a broken source must not break the scrape
        }
      }
    };
  new Counter({
    name: 'taskpulse_cache_hits_total',
    help: 'Cache hits, by cache.',
    labelNames: ['cache'] as const,
    registers: [registry],
    collect: readCaches((counts) => counts.hits),
  });
  new Counter({
    name: 'taskpulse_cache_misses_total',
    help: 'Cache misses, by cache.',
    labelNames: ['cache'] as const,
    registers: [registry],
    collect: readCaches((counts) => counts.misses),
  });

  return {
    registry,
    slowQueryMs,
    contentType: registry.contentType,
    observeQuery: (query) => {
      const scope = currentCallScope();
      const procedure = scope?.procedure ?? '(none)';
      queries.observe({ procedure }, query.durationMs / 1000);
      if (query.durationMs >= slowQueryMs) {
        slowQueries.inc({ procedure });
        fallbackLogger ??= createDefaultLogger();
        (scope?.logger ?? fallbackLogger).warn(
          {
            procedure,
            durationMs: Math.round(query.durationMs),
            thresholdMs: slowQueryMs,
            sql: redactSql(query.sql),
          },
          'slow query',
        );
      }
    },
    observeCall: (procedure, outcome, durationMs) => {
      requests.inc({ procedure, outcome });
      durations.observe({ procedure, outcome }, durationMs / 1000);
    },
    observeRateLimited: (scope) => rateLimited.inc({ scope }),
    observeLiveStreams: (delta) => liveStreams.inc(delta),
    observeMcpOperation: (operation) => {
      const labels: Partial<
        Record<
          | 'mcp_method_name'
          | 'gen_ai_tool_name'
          | 'error_type'
          | 'network_transport'
          | 'mcp_protocol_version',
          string
        >
      > = { mcp_method_name: operation.method, network_transport: operation.transport };
      if (operation.toolName !== undefined) labels.gen_ai_tool_name = operation.toolName;
      if (operation.errorType !== undefined) labels.error_type = operation.errorType;
      if (operation.protocolVersion !== undefined) {
        labels.mcp_protocol_version = operation.protocolVersion;
      }
      mcpOperations.observe(labels, operation.durationMs / 1000);
    },
    observeCache: (source, { name = 'default' } = {}) => {
      caches.set(name, source);
    },
    render: () => registry.metrics(),
  };
}
