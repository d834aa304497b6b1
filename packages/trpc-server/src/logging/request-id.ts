import { randomUUID } from 'node:crypto';

// what a request id from a caller or a proxy may look like: UUIDs, ULIDs, trace ids, hex
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * The id of a request: the caller's `x-request-id` when it is sane (1–128 characters of
 * letters, digits and `._:-`), else a new UUID, so that nothing a caller sends reaches the
 * logs unchecked.
 */
export function requestIdFrom(header: string | string[] | null | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && value !== null && SANE_REQUEST_ID.test(value)
    ? value
    : randomUUID();
}
