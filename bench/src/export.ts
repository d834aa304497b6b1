import {
  EXPORT_RECORD_TYPES,
  type ExportRecordType,
  exportUserData,
  type Taskpulse,
} from '@taskpulse/core';
import type pg from 'pg';

/** Memory of this process at one moment of the export, in bytes. */
export interface ExportMemory {
  heapUsed: number;
  rss: number;
}

/** Part 4: the export of the heaviest user, streamed to the end, and what it cost in memory. */
export interface ExportResults {
  user: string;
  userTasks: number;
  /** Records the export wrote, by type, and the rows SQL counts for the same things. */
  records: Record<ExportRecordType, number>;
  sql: Record<ExportRecordType, number>;
  /** Bytes of NDJSON (one JSON record a line, as `GET /me/export` sends). */
  bytes: number;
  seconds: number;
  recordsPerSecond: number;
  /** After a garbage collection (when `--expose-gc`) before the export, and after it. */
  before: ExportMemory;
  after: ExportMemory;
  /** The highest readings while the export ran (sampled every 100 ms and every 10,000 records). */
  peak: ExportMemory;
  /**
   * The highest heap still in use after a garbage collection, every 20,000 records (what the
   * export holds, without the garbage it left behind); null without `--expose-gc`.
   */
  retainedPeak: number | null;
  gcExposed: boolean;
}

export interface ExportReporter {
  log(message: string): void;
}

const reading = (): ExportMemory => {
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
};

const collect = () => (globalThis as { gc?: () => void }).gc?.();

/** What an export of `userId` must hold, counted with plain SQL. */
async function sqlCounts(
  client: pg.Client,
  userId: string,
): Promise<Record<ExportRecordType, number>> {
  const { rows } = await client.query<Record<ExportRecordType, string>>(
    `select
      (select count(*) from users where id = $1) as "user",
      (select count(*) from tasks where user_id = $1) as "task",
      (select count(*) from task_shares s join tasks t on t.id = s.task_id where t.user_id = $1)
        + (select count(*) from task_shares where shared_with_user_id = $1) as "share",
      (select count(*) from teams where owner_id = $1) as "team",
      (select count(*) from team_members where user_id = $1) as "membership",
      (select count(*) from conversations where user_id = $1) as "conversation",
      (select count(*) from messages m join conversations c on c.id = m.conversation_id where c.user_id = $1) as "message"`,
    [userId],
  );
  const row = rows[0];
  return Object.fromEntries(
    EXPORT_RECORD_TYPES.map((type) => [type, Number(row?.[type] ?? 0)]),
  ) as Record<ExportRecordType, number>;
}

/**
 * Streams the whole export of `userId` (core's `exportUserData`, each record serialized as the
 * NDJSON line `GET /me/export` sends, then dropped, as a socket that keeps up would), counting
 * records by type and sampling this process's heap and RSS, and compares the counts with SQL.
 */
export async function runExportBench(
  tp: Taskpulse,
  client: pg.Client,
  user: { id: string; tasks: number },
  reporter: ExportReporter,
): Promise<ExportResults> {
  const sql = await sqlCounts(client, user.id);
  const records = Object.fromEntries(EXPORT_RECORD_TYPES.map((type) => [type, 0])) as Record<
    ExportRecordType,
    number
  >;
  collect();
  const before = reading();
  const peak = { ...before };
  const sample = () => {
    const now = reading();
    peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed);
    peak.rss = Math.max(peak.rss, now.rss);
  };
  const timer = setInterval(sample, 100);
  let bytes = 0;
  let count = 0;
  const { gc } = globalThis as { gc?: () => void };
  let retainedPeak: number | null = null;
  const started = performance.now();
  try {
    for await (const record of exportUserData(tp.context({ id: user.id }))) {
      bytes += Buffer.byteLength(`${JSON.stringify(record)}\n`);
      records[record.type] += 1;
      count += 1;
      if (count % 10_000 === 0) sample();
      if (count % 20_000 === 0 && gc) {
        gc();
        retainedPeak = Math.max(retainedPeak ?? 0, process.memoryUsage().heapUsed);
      }
      if (count % 200_000 === 0) reporter.log(`export: ${count.toLocaleString('en')} records`);
    }
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - started) / 1000;
  sample();
  const after = reading();
  return {
    user: user.id,
    userTasks: user.tasks,
    records,
    sql,
    bytes,
    seconds,
    recordsPerSecond: count / seconds,
    before,
    after,
    peak,
    retainedPeak,
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
  };
}
