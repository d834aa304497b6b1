/**
 * A statement with its literal values replaced by `?` and cut to `maxLength`, for slow-query
 * logs: MikroORM inlines values into the statements it sends, and those values are user data.
 */
export function redactSql(sql: string, maxLength = 500): string {
  const redacted = sql
    // string literals, with '' escapes, and E'' strings
    .replace(/[Ee]?'(?:[^']|'')*'/g, '?')
    // dollar-quoted strings
    .replace(/\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$/g, '?')
    // numbers that are not part of a name or a $1 placeholder
    .replace(/(?<![\w$.])-?\d+(?:\.\d+)?(?![\w.])/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return redacted.length > maxLength ? `${redacted.slice(0, maxLength)}…` : redacted;
}
