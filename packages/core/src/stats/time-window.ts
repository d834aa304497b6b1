import { type RawBuilder, sql } from 'kysely';
import type { TaskpulseEntityManager } from '../db/open.ts';
import { TaskpulseError } from '../errors/index.ts';

// the time zone names each database knows, read once per database driver
const knownZones = new WeakMap<object, Promise<Set<string>>>();

/**
 * Fails with `VALIDATION` (path `timeZone`) unless PostgreSQL knows `timeZone` as a zone
 * name. The list comes from `pg_timezone_names` once per database, so the check costs no
 * query after the first.
 */
export async function assertKnownTimeZone(
  em: TaskpulseEntityManager,
  timeZone: string,
): Promise<void> {
  const driver = em.getDriver();
  let zones = knownZones.get(driver);
  if (!zones) {
    zones = sql<{ name: string }>`select name from pg_timezone_names`
      .execute(em.fork().getKysely())
      .then(({ rows }) => new Set(rows.map((row) => row.name)));
    knownZones.set(driver, zones);
    zones.catch(() => knownZones.delete(driver));
  }
  if (!(await zones).has(timeZone)) {
    throw new TaskpulseError(
      'VALIDATION',
      `Invalid input: timeZone: "${timeZone.slice(0, 64)}" is not a time zone name (use an IANA name such as Europe/Berlin)`,
      { issues: [{ path: ['timeZone'], message: 'is not a known IANA time zone name' }] },
    );
  }
}

/**
 * The SQL of one row with the window a time-dependent figure covers, computed by
 * PostgreSQL in the zone's own rules: `today_from`/`today_to` are local midnight and the next
 * local midnight (a local day can last 23 or 25 hours); `week_from` is local midnight of the
 * most recent `weekStartsOn` day, `week_to` seven local days later.
 */
export function windowSql(now: Date, timeZone: string, weekStartsOn: number): RawBuilder<unknown> {
  const localDay = sql`(${now}::timestamptz at time zone ${timeZone})::date`;
  const weekStart = sql`(${localDay} - ((extract(dow from ${localDay})::int - ${weekStartsOn}::int + 7) % 7))`;
  return sql`select
    (${localDay}::timestamp at time zone ${timeZone}) as today_from,
    ((${localDay} + 1)::timestamp at time zone ${timeZone}) as today_to,
    (${weekStart}::timestamp at time zone ${timeZone}) as week_from,
    ((${weekStart} + 7)::timestamp at time zone ${timeZone}) as week_to`;
}

/** The window of a time-dependent figure, as instants. */
export interface WindowRow {
  today_from: Date;
  today_to: Date;
  week_from: Date;
  week_to: Date;
}
