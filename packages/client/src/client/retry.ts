import { type Operation, retryLink, type TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AnyClientTypes } from '@trpc/server/unstable-core-do-not-import';
import type { TaskpulseRouter } from '../router/types.ts';
import type { TaskpulseRetryOptions } from './options.ts';

/** Thrown when a live subscription starts in a runtime without EventSource. */
export class MissingEventSourceError extends Error {
  override readonly name = 'MissingEventSourceError';
  constructor() {
    super(
      'This runtime has no EventSource, which live subscriptions need: pass `EventSource` to createTaskpulseClient (in Node, `import { EventSource } from "eventsource"`).',
    );
  }
}

/** The header a mutation's key travels in (the IETF httpapi `Idempotency-Key`). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * The `Idempotency-Key` of a mutation: the one given in its context
 * (`mutate(input, { context: { idempotencyKey } })`), else the one the client generated.
 */
export function idempotencyKeyOf(op: Pick<Operation, 'context'>): string | undefined {
  const key = op.context.idempotencyKey;
  return typeof key === 'string' ? key : undefined;
}

/**
 * A link that gives every mutation an `Idempotency-Key` (a random UUID) unless its context has
 * one. It sits before the retry link, so that every attempt of a mutation sends the same key:
 * the server then carries it out at most once, however many attempts reach it.
 */
export function idempotencyKeyLink(): TRPCLink<TaskpulseRouter> {
  return () =>
    ({ op, next }) => {
      if (op.type !== 'mutation' || idempotencyKeyOf(op) !== undefined) return next(op);
      return next({ ...op, context: { ...op.context, idempotencyKey: crypto.randomUUID() } });
    };
}

/**
 * The `Idempotency-Key` header of one HTTP request: the keys of its mutations in order, separated
 * by commas (a key holding a comma, a quote or a backslash is sent as a quoted string); undefined
 * when none has a key.
 */
export function idempotencyKeyHeader(
  ops: readonly Pick<Operation, 'type' | 'context'>[],
): string | undefined {
  const mutations = ops.filter((op) => op.type === 'mutation');
  const keys = mutations.map(idempotencyKeyOf);
  if (mutations.length === 0 || keys.some((key) => key === undefined)) return undefined;
  return keys
    .map((key) =>
      /^[^,"\\]+$/.test(key as string) ? key : `"${(key as string).replace(/["\\]/g, '\\$&')}"`,
    )
    .join(', ');
}

/** What the retry link knows of a failed attempt. */
export interface FailedAttempt {
  readonly op: Pick<Operation, 'type' | 'signal'> & Partial<Pick<Operation, 'context'>>;
  readonly error: Pick<TRPCClientError<AnyClientTypes>, 'data' | 'cause'>;
  /**
   * Attempts made so far, the first call included; for a subscription, those since it was
   * last connected.
   */
  readonly attempts: number;
}

/**
 * Whether a failed call is tried again. Queries are, when the API could not be reached (no
 * answer from it) or answered `SERVICE_UNAVAILABLE` (its database is down); so are mutations
 * that carry an `Idempotency-Key` (every one the client sends, unless a link removed it): a
 * repeat is answered with the first attempt's result, so a write whose answer was lost is not
 * made twice. A mutation without a key never is. A live subscription whose
 * connection failed for good is re-opened in the same cases, and after `UNAUTHORIZED` when
 * tokens come from `getToken` (a reconnection may have sent a token that expired since).
 */
export function shouldRetry(
  { op, error, attempts }: FailedAttempt,
  retry: Required<TaskpulseRetryOptions>,
  refreshesToken: boolean,
): boolean {
  if (
    op.type === 'mutation' &&
    (op.context === undefined || idempotencyKeyOf(op as Pick<Operation, 'context'>) === undefined)
  ) {
    return false;
  }
  if (op.signal?.aborted) return false;
  if (attempts > retry.attempts) return false;
  if (error.cause instanceof MissingEventSourceError) return false;
  const code = error.data?.code;
  if (code === undefined || code === 'SERVICE_UNAVAILABLE') return true;
  return op.type === 'subscription' && code === 'UNAUTHORIZED' && refreshesToken;
}

/**
 * The delay before retry number `attempt` (1 for the first): exponential from `baseDelayMs`,
 * capped at `maxDelayMs`, with jitter so that many clients do not retry in step.
 */
export function retryDelayMs(attempt: number, retry: Required<TaskpulseRetryOptions>): number {
  const exponential = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential / 2 + (Math.random() * exponential) / 2);
}

/**
 * The retry links of a client: tRPC's `retryLink` with {@link shouldRetry}, then a link that
 * notes when each attempt of a subscription connected. A live subscription may then be
 * re-opened any number of times over its life, but at most `retry.attempts` times in a row
 * without connecting.
 */
export function retryLinks(
  retry: Required<TaskpulseRetryOptions>,
  refreshesToken: boolean,
): TRPCLink<TaskpulseRouter>[] {
  // per subscription: the op's context object, the same for all its attempts (retryLink
  // copies the op with its lastEventId, keeping the context)
  const subscriptions = new WeakMap<object, { attempts: number; connectedAt: number }>();
  const track: TRPCLink<TaskpulseRouter> =
    () =>
    ({ op, next }) => {
      if (op.type !== 'subscription') return next(op);
      const state = subscriptions.get(op.context) ?? { attempts: 0, connectedAt: 0 };
      subscriptions.set(op.context, state);
      state.attempts += 1;
      const attempt = state.attempts;
      return observable((observer) => {
        const subscription = next(op).subscribe({
          next: (envelope) => {
            if (envelope.result.type === 'started') state.connectedAt = attempt;
            observer.next(envelope);
          },
          error: (error) => observer.error(error),
          complete: () => observer.complete(),
        });
        return () => subscription.unsubscribe();
      });
    };
  return [
    retryLink<TaskpulseRouter>({
      retry: ({ op, error, attempts }) => {
        const connectedAt =
          op.type === 'subscription' ? (subscriptions.get(op.context)?.connectedAt ?? 0) : 0;
        return shouldRetry({ op, error, attempts: attempts - connectedAt }, retry, refreshesToken);
      },
      retryDelayMs: (attempt) => retryDelayMs(attempt, retry),
    }),
    track,
  ];
}
