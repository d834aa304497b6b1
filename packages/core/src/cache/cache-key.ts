/** One value of a figure's parameters; `undefined` counts as absent. */
export type StatsCacheParamValue = string | number | boolean | undefined;

/**
 * What a cached figure is: whose it is, which figure, and the parameters it was computed
 * with. Two keys with the same user, figure and parameters name the same entry, whatever
 * the order of the parameters and whether absent ones are left out or set to `undefined`.
 *
 * @example
 * ```ts
 * { userId: 'auth0|alice', figure: 'trend', params: { days: 30, timeZone: 'Europe/Berlin' } }
 * ```
 */
export interface StatsCacheKey {
  /** The user the figure is computed for. */
  userId: string;
  /** The name of the figure (`statistics`, `activity`, `trend`, …). */
  figure: string;
  /** What else the figure depends on (time zone, week start, number of days, …). */
  params?: Readonly<Record<string, StatsCacheParamValue>>;
}

/**
 * The canonical text of a key: the user, the figure and the parameters sorted by name, with
 * absent ones dropped. JSON keeps strings, numbers and booleans apart (`"1"`, `1`, `true`).
 */
export function canonicalKey(key: StatsCacheKey): string {
  const params = Object.entries(key.params ?? {})
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([key.userId, key.figure, params]);
}
