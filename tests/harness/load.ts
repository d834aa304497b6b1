/**
 * A bounded load: a fixed number of workers, each running one operation after another until a
 * deadline or a total count is reached — whichever comes first — so that a load always stops
 * by itself. Outcomes and latencies are recorded by phase.
 */
import { outcomeOf, type WireResponse } from './wire.ts';

export interface LoadOptions {
  /** Workers running at once (the most requests in flight). */
  concurrency: number;
  /** No operation starts after this many milliseconds. */
  durationMs: number;
  /** No operation starts once this many have. */
  maxOperations: number;
  /** One operation of worker `worker`; its calls go through {@link LoadRecorder.record}. */
  operation: (worker: number, index: number) => Promise<void>;
  /** No operation starts once this returns true. */
  stop?: () => boolean;
}

/** Runs the load; resolves once every worker stopped, with the number of operations started. */
export async function runLoad(options: LoadOptions): Promise<number> {
  const deadline = Date.now() + options.durationMs;
  let started = 0;
  const worker = async (id: number) => {
    while (Date.now() < deadline && started < options.maxOperations && !options.stop?.()) {
      const index = started;
      started += 1;
      await options.operation(id, index);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, id) => worker(id)));
  return started;
}

/** One answered call. */
export interface CallRecord {
  procedure: string;
  /** The phase when the call was sent. */
  phase: string;
  /** The phase when its answer came. */
  endPhase: string;
  outcome: string;
  status: number;
  ms: number;
}

/** Records every call's outcome and latency, under the current phase. */
export class LoadRecorder {
  readonly calls: CallRecord[] = [];
  /** Calls that never got an answer (the connection failed, or the client's timeout hit). */
  readonly failures: { procedure: string; phase: string; error: string }[] = [];
  phase = 'start';

  /** Sends `call`, records what came back, and returns it (undefined when nothing did). */
  async record(
    procedure: string,
    call: () => Promise<WireResponse>,
  ): Promise<WireResponse | undefined> {
    const phase = this.phase;
    try {
      const response = await call();
      this.calls.push({
        procedure,
        phase,
        endPhase: this.phase,
        outcome: outcomeOf(response),
        status: response.status,
        ms: response.ms,
      });
      return response;
    } catch (error) {
      this.failures.push({ procedure, phase, error: String((error as Error).cause ?? error) });
      return undefined;
    }
  }

  /**
   * Outcome counts (`{ ok: 812, SERVICE_UNAVAILABLE: 40 }`) of the calls sent in `phase`, or of
   * those both sent and answered in it with `whole`.
   */
  outcomes(phase?: string, { whole = false } = {}): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const call of this.calls) {
      if (phase !== undefined && call.phase !== phase) continue;
      if (whole && call.endPhase !== call.phase) continue;
      counts[call.outcome] = (counts[call.outcome] ?? 0) + 1;
    }
    return counts;
  }

  /** The slowest answer, optionally of one phase, in milliseconds. */
  slowest(phase?: string): number {
    return Math.max(
      0,
      ...this.calls
        .filter((call) => phase === undefined || call.phase === phase)
        .map((call) => call.ms),
    );
  }

  /** Calls answered with a 5xx other than 503 (SERVICE_UNAVAILABLE). */
  serverErrors(): CallRecord[] {
    return this.calls.filter(
      (call) => call.status >= 500 && call.outcome !== 'SERVICE_UNAVAILABLE',
    );
  }
}
