import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTaskpulse, type Taskpulse } from '../create-taskpulse.ts';
import { type CoreLogger, createConsoleLogger } from './logger.ts';

const recording = () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() });

/** Publishes an event to a listener that throws: core reports it through its logger. */
function failListener(tp: Taskpulse): void {
  const stop = tp.events.subscribe(() => {
    throw new Error('listener boom');
  });
  tp.events.publish({ type: 'resync', actorId: '', affectedUserIds: [], at: new Date() });
  stop();
}

describe('createConsoleLogger', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes the message, then the fields when there are any, from the given level up', () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const logger = createConsoleLogger('info');
    logger.debug({ a: 1 }, 'hidden');
    logger.warn({ err: 'x' }, 'shown');
    logger.warn({}, 'bare');
    expect(debug).not.toHaveBeenCalled();
    expect(warn.mock.calls).toEqual([['shown', { err: 'x' }], ['bare']]);
  });
});

describe('the logger of createTaskpulse', () => {
  let withOption: Taskpulse;
  let withoutOption: Taskpulse;
  const given = recording();
  beforeAll(async () => {
    withOption = await createTaskpulse({ database: { embedded: {} }, logger: given });
    withoutOption = await createTaskpulse({ database: { embedded: {} } });
  });
  afterAll(async () => {
    await withOption?.close();
    await withoutOption?.close();
  });

  it('is where core reports a failed change listener, with the error', () => {
    failListener(withOption);
    expect(given.error).toHaveBeenCalledWith(
      expect.objectContaining({ err: expect.objectContaining({ message: 'listener boom' }) }),
      'taskpulse: a change listener failed',
    );
  });

  it('stays when another logger is attached with useLogger', () => {
    given.error.mockClear();
    const attached = recording();
    const detach = withOption.useLogger(attached);
    failListener(withOption);
    detach();
    expect(given.error).toHaveBeenCalledOnce();
    expect(attached.error).not.toHaveBeenCalled();
  });

  it('without the option: the attached logger until it is detached, then the console', () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const attached: CoreLogger = recording();
    const detach = withoutOption.useLogger(attached);
    failListener(withoutOption);
    expect(attached.error).toHaveBeenCalledOnce();
    expect(consoleError).not.toHaveBeenCalled();
    detach();
    failListener(withoutOption);
    expect(attached.error).toHaveBeenCalledOnce();
    expect(consoleError).toHaveBeenCalledWith('taskpulse: a change listener failed', {
      err: expect.any(Error),
      event: 'resync',
    });
    consoleError.mockRestore();
  });

  it('rejects a logger without the four methods, naming the option', async () => {
    const error = await createTaskpulse({
      database: { embedded: {} },
      logger: { warn: () => {} } as never,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'VALIDATION', issues: [{ path: ['logger'] }] });
  });
});
