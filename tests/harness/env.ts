/**
 * How long the suite runs. The long load and outage runs need TASKPULSE_LONG_TESTS=1 (CI sets
 * it in .ci/run); without it every test runs a shorter version of itself, and says so once.
 */

/** Whether the long versions run. */
export const longTests = process.env.TASKPULSE_LONG_TESTS === '1';

const announced = new Set<string>();

/**
 * `long` under TASKPULSE_LONG_TESTS=1, `short` otherwise; prints once per `what` that the
 * short version runs and why.
 */
export function byLength<T>(what: string, short: T, long: T): T {
  if (!longTests && !announced.has(what)) {
    announced.add(what);
    console.info(
      `${what}: running the short version (${JSON.stringify(short)} instead of ${JSON.stringify(long)}); set TASKPULSE_LONG_TESTS=1 for the long one.`,
    );
  }
  return longTests ? long : short;
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns true, for at most `timeoutMs`; returns whether it did. */
export async function eventually(
  check: () => Promise<boolean>,
  { timeoutMs = 15_000, everyMs = 100 } = {},
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}
