import { type RawBuilder, sql } from 'kysely';
import { allOf, filterConditions, scopeParts } from '../tasks/filters.ts';
import type { FigureFilter } from './figure-definitions.ts';

export {
  type ActivityFigureName,
  activityFigures,
  BREAKDOWN_FIGURES,
  type FigureFilter,
  type FigureName,
  figureListFilters,
  SHARED_FIGURES,
  STATISTICS_FIGURES,
} from './figure-definitions.ts';

/**
 * One SQL select that counts every figure, grouped by scope so that each group reads only
 * its own index range: owned tasks by `user_id`, shared ones through the recipient's shares.
 * Each count is `count(*) FILTER (WHERE …)` with the figure's list conditions. With
 * `window`, its row (aliased `w`) comes first and the figures may use its columns as bounds.
 */
export function countFiguresSql(
  figures: Record<string, FigureFilter>,
  me: string,
  now: Date,
  window?: RawBuilder<unknown>,
): RawBuilder<Record<string, unknown>> {
  const groups = new Map<'owned' | 'shared', RawBuilder<unknown>[]>();
  for (const [name, figure] of Object.entries(figures)) {
    const conditions = filterConditions(figure, me, now);
    if (figure.scope === 'shared' && figure.permission) {
      conditions.unshift(...scopeParts({ scope: 'shared', permission: figure.permission }, me));
    }
    const list = groups.get(figure.scope) ?? [];
    list.push(sql`count(*) filter (where ${allOf(conditions)})::int as ${sql.ref(name)}`);
    groups.set(figure.scope, list);
  }
  const subqueries = [...groups].map(
    ([scope, counts]) =>
      sql`lateral (select ${sql.join(counts)} from tasks t where ${allOf(scopeParts({ scope }, me))}) as ${sql.ref(`g_${scope}`)}`,
  );
  const from = window ? [sql`(${window}) as w`, ...subqueries] : subqueries;
  return sql<Record<string, unknown>>`select * from ${sql.join(from, sql` cross join `)}`;
}
