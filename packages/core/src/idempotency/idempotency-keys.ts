import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { type Kysely, sql } from 'kysely';
import type { TaskpulseDB } from '../db/kysely.ts';
import { TaskpulseError } from '../errors/index.ts';
import { LIMITS } from '../schema/limits.ts';

/** Options every write function takes, after its input. */
export interface WriteOptions {
  /**
   * Makes the write retry-safe: per user and key, it is carried out at most once for
   * {@link IDEMPOTENCY_KEY_TTL_MS}; a repeat answers the first result, the same key with another
   * input is a `CONFLICT` and writes nothing, and a concurrent repeat waits for the first.
   * 1–255 visible ASCII characters (the IETF httpapi `Idempotency-Key`), e.g. a UUID.
   */
  readonly idempotencyKey?: string | undefined;
}

/** How long a key is remembered after its write: 24 hours. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

// visible ASCII: %x21-7E, as the IETF httpapi draft allows in a key
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * Why `key` is not a valid idempotency key, or undefined when it is one: 1–255 visible ASCII
 * characters. trpc-server says the same of the `Idempotency-Key` header.
 */
export function idempotencyKeyProblem(key: unknown): string | undefined {
  const { min, max } = LIMITS.idempotencyKey;
  if (typeof key !== 'string') return 'must be a string';
  if (key.length < min || key.length > max) {
    return `must be ${min}–${max} characters long, not ${key.length}`;
  }
  if (!VISIBLE_ASCII.test(key)) {
    return 'must be visible ASCII characters only (no spaces, control or non-ASCII characters)';
  }
  return undefined;
}

/** `key` if it is a valid idempotency key; a `VALIDATION` error naming `idempotencyKey` otherwise. */
export function parseIdempotencyKey(key: unknown): string {
  const problem = idempotencyKeyProblem(key);
  if (problem === undefined) return key as string;
  const message = `idempotencyKey ${problem}`;
  throw new TaskpulseError('VALIDATION', `Invalid write options: ${message}.`, {
    issues: [{ path: ['idempotencyKey'], message }],
  });
}

/** SHA-256 of the operation and its input in canonical JSON (RFC 8785), hex. */
export function requestHash(operation: string, input: unknown): string {
  const canonical = canonicalize({ operation, input: input ?? null }) ?? '';
  return createHash('sha256').update(canonical).digest('hex');
}

type Db = Kysely<TaskpulseDB>;

/** What claiming a key found: the key is ours (carry the write out), or the first write's result. */
export type Claim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'replay'; readonly result: unknown };

// expired keys deleted by each claim: more than one, so that they never pile up while keys are used
const CLEANUP_BATCH = 16;

/**
 * Claims `key` for a write of `hash` by `userId`, inside the write's transaction. The insert
 * into the primary key (user_id, key) blocks while another transaction holds the same key, until
 * that one commits (then its result is answered) or rolls back (then the key is ours). An expired
 * key is taken over. A few expired keys, anyone's, are deleted on the way (skipping rows that other
 * transactions hold, so that no write waits for another's clean-up).
 */
export async function claimIdempotencyKey(
  db: Db,
  claim: { userId: string; key: string; hash: string; now: Date },
): Promise<Claim> {
  const { userId, key, hash, now } = claim;
  const expiresAt = new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_MS);
  await sql`delete from idempotency_keys where (user_id, key) in (
      select user_id, key from idempotency_keys where expires_at <= ${now}
      order by expires_at limit ${CLEANUP_BATCH} for update skip locked)`.execute(db);
  const { rows: claimed } = await sql<{ key: string }>`
    insert into idempotency_keys (user_id, key, request_hash, response, created_at, expires_at)
    values (${userId}, ${key}, ${hash}, null, ${now}, ${expiresAt})
    on conflict (user_id, key) do update set request_hash = excluded.request_hash,
      response = null, created_at = excluded.created_at, expires_at = excluded.expires_at
      where idempotency_keys.expires_at <= excluded.created_at
    returning key`.execute(db);
  if (claimed.length > 0) return { kind: 'claimed' };
  // the key is held by a committed write (the insert waited for it, if it was under way)
  const stored = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'response'])
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!stored) {
    // deleted between the two statements (expired, or its user deleted): nothing to answer
    throw new TaskpulseError(
      'CONFLICT',
      'This Idempotency-Key expired while the request was retried: send the request again.',
    );
  }
  if (stored.request_hash !== hash) {
    throw new TaskpulseError(
      'CONFLICT',
      'This Idempotency-Key was already used for a different request (another operation or input). Use a new key for a new request, and the same key only to retry the same request.',
    );
  }
  if (stored.response === null) {
    throw new TaskpulseError(
      'CONFLICT',
      'A request with this Idempotency-Key is still being carried out in this transaction.',
    );
  }
  return { kind: 'replay', result: JSON.parse(stored.response) };
}

/** Records the result of the write that claimed `key`, in the same transaction. */
export async function storeIdempotentResult(
  db: Db,
  stored: { userId: string; key: string; result: unknown },
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ response: JSON.stringify(stored.result ?? null) })
    .where('user_id', '=', stored.userId)
    .where('key', '=', stored.key)
    .execute();
}

/**
 * Deletes every key that expired by `now`, for a periodic clean-up (claims already delete a few on
 * each write); returns how many.
 */
export async function deleteExpiredIdempotencyKeys(db: Db, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
