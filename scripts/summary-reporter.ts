import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Ends a run with one plain line, `<n> passed, <n> failed, <n> skipped`, that tools reading a
 * log (CI among them) understand without knowing vitest's own summary. Errors thrown outside
 * any test (which fail the run although every test passed) are counted on that line too.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError> = [],
  ): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') counts.failed += 1;
        else counts.skipped += 1;
      }
    }
    const errors =
      unhandledErrors.length > 0
        ? `, ${unhandledErrors.length} unhandled error${unhandledErrors.length === 1 ? '' : 's'} (the run fails)`
        : '';
    process.stdout.write(
      `\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${errors}\n`,
    );
  }
}
