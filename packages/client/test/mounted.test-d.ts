import { describe, expectTypeOf, it } from 'vitest';
import {
  createTaskpulseClient,
  type TaskpulseClient,
  type TaskpulseMountKey,
} from '../src/index.ts';
import type { HostRouter } from './host-router.ts';

describe('TaskpulseMountKey', () => {
  it("names exactly the keys of a host router that hold taskpulse's procedures", () => {
    expectTypeOf<TaskpulseMountKey<HostRouter>>().toEqualTypeOf<'taskpulse' | 'api.tasks'>();
    // with the host's router type, a wrong key does not compile
    createTaskpulseClient<HostRouter>({ url: 'http://127.0.0.1:9', mountedAt: 'taskpulse' });
    // @ts-expect-error: 'ping' holds a procedure of the host, not taskpulse's
    createTaskpulseClient<HostRouter>({ url: 'http://127.0.0.1:9', mountedAt: 'ping' });
    // without it, any key goes, checked when the client is made
    expectTypeOf(
      createTaskpulseClient({ url: 'http://127.0.0.1:9', mountedAt: 'anything' }),
    ).toEqualTypeOf<TaskpulseClient>();
  });
});
