/** One call of a request, as the request's log line reports it. */
export interface CallRecord {
  /** The procedure's path (`me`, `tasks.list`), or what the caller asked for when none matched. */
  readonly procedure: string;
  /** `ok`, or the tRPC error code. */
  readonly outcome: string;
  readonly durationMs: number;
}

/** What a request's single log line is made of; filled while the request runs. */
export interface RequestRecord {
  userId: string | undefined;
  readonly calls: CallRecord[];
}

/** A fresh, empty record. */
export function createRequestRecord(): RequestRecord {
  return { userId: undefined, calls: [] };
}

/** The request's outcome in one word: `ok` when every call succeeded, else the first error code. */
export function overallOutcome(record: RequestRecord): string {
  return record.calls.find((call) => call.outcome !== 'ok')?.outcome ?? 'ok';
}

/** Fields of a request's log line (never a token, an input or a result). */
export function requestLogFields(record: RequestRecord) {
  return {
    userId: record.userId,
    procedures: record.calls.map((call) => call.procedure),
    outcomes: record.calls.map((call) => call.outcome),
    outcome: overallOutcome(record),
  };
}

/** A procedure path fit for a log line: what a caller sent may be anything. */
export function loggablePath(path: string | undefined): string {
  if (path === undefined || path === '') return '(none)';
  const clean = path.replace(/[^\w.,-]/g, '?');
  return clean.length > 100 ? `${clean.slice(0, 100)}…` : clean;
}
