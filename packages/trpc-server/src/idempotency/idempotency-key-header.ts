import { idempotencyKeyProblem } from '@taskpulse/core';
import { TRPCError } from '@trpc/server';

/** The request header that makes a mutation retry-safe (the IETF httpapi draft). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

const badHeader = (problem: string) =>
  new TRPCError({
    code: 'BAD_REQUEST',
    message: `The ${IDEMPOTENCY_KEY_HEADER} header ${problem}.`,
  });

/** A quoted structured-field string (RFC 8941 sf-string) unquoted, or the item as it is. */
function unquote(item: string): string {
  if (item.length >= 2 && item.startsWith('"') && item.endsWith('"')) {
    return item.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }
  return item;
}

/** The comma-separated items of a batch's header, commas inside quoted strings kept. */
function splitItems(value: string): string[] {
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i] as string;
    if (quoted && char === '\\' && i + 1 < value.length) {
      current += char + value[++i];
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      items.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  items.push(current);
  return items.map((item) => item.trim());
}

function checked(key: string, position?: number): string {
  const problem = idempotencyKeyProblem(key);
  if (problem === undefined) return key;
  const which = position === undefined ? '' : ` (key ${position + 1} of the batch)`;
  throw badHeader(
    `is invalid${which}: a key ${problem}; send 1–255 visible ASCII characters, e.g. a UUID`,
  );
}

/**
 * The keys of an `Idempotency-Key` header: undefined without one; for a single call, the whole
 * value (a quoted sf-string is unquoted); for a batch of `calls` mutations, one key per call in
 * order, separated by commas (`Idempotency-Key: k1, k2`; quote a key that holds a comma).
 * Anything else is a `BAD_REQUEST` naming the header.
 */
export function parseIdempotencyKeyHeader(
  value: string | null,
  batch: { readonly isBatch: boolean; readonly calls: number | undefined },
): readonly string[] | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (!batch.isBatch) return [checked(unquote(trimmed))];
  const keys = splitItems(trimmed).map((item, position) => checked(unquote(item), position));
  if (batch.calls !== undefined && keys.length !== batch.calls) {
    throw badHeader(
      `has ${keys.length} key${keys.length === 1 ? '' : 's'} for a batch of ${batch.calls} calls: send one key per call, in the batch's order, separated by commas`,
    );
  }
  return keys;
}

/** The key of the call at `batchIndex`, from the keys of its request's header. */
export function idempotencyKeyOfCall(
  keys: readonly string[] | undefined,
  batchIndex: number,
): string | undefined {
  if (keys === undefined) return undefined;
  const key = keys[batchIndex];
  if (key === undefined) {
    throw badHeader(
      `has ${keys.length} key${keys.length === 1 ? '' : 's'}, but this is call ${batchIndex + 1} of the batch: send one key per call, in the batch's order, separated by commas`,
    );
  }
  return key;
}
