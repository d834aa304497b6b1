import { createTaskpulse, type Taskpulse } from '@taskpulse/core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { captureLogs } from '../../test/logs.ts';
import { TEST_SECRET } from '../../test/tokens.ts';
import { createTaskpulseRuntime } from './runtime.ts';

let tp: Taskpulse;
beforeAll(async () => {
  tp = await createTaskpulse({ database: { embedded: {} } });
});
afterAll(async () => {
  await tp?.close();
});

function failListener(): void {
  const stop = tp.events.subscribe(() => {
    throw new Error('listener boom');
  });
  tp.events.publish({ type: 'resync', actorId: '', affectedUserIds: [], at: new Date() });
  stop();
}

it("writes core's lines through the runtime's pino logger while the runtime is open", async () => {
  const logs = captureLogs();
  const runtime = createTaskpulseRuntime({
    taskpulse: tp,
    auth: { secret: TEST_SECRET },
    logger: logs.logger,
  });
  failListener();
  expect(logs.lines).toEqual([
    expect.objectContaining({
      level: 50,
      msg: 'taskpulse: a change listener failed',
      event: 'resync',
      err: expect.objectContaining({ message: 'listener boom' }),
    }),
  ]);
  await runtime.close();
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
  failListener();
  expect(logs.lines).toHaveLength(1);
  expect(consoleError).toHaveBeenCalledOnce();
  consoleError.mockRestore();
});
