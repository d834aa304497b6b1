import type { UserDto } from '@taskpulse/core';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { describe, expectTypeOf, it } from 'vitest';
import type { HostRouter } from '../../test/host-app.ts';
import type { Health } from '../index.ts';

describe('taskpulse mounted in a host tRPC app', () => {
  it('types the mounted procedures for clients', () => {
    type Outputs = inferRouterOutputs<HostRouter>;
    type Inputs = inferRouterInputs<HostRouter>;
    expectTypeOf<Outputs['taskpulse']['me']>().toEqualTypeOf<UserDto>();
    expectTypeOf<Outputs['taskpulse']['health']>().toEqualTypeOf<Health>();
    expectTypeOf<Inputs['taskpulse']['me']>().toEqualTypeOf<void>();
    expectTypeOf<Outputs['hello']>().toEqualTypeOf<string>();
    expectTypeOf<Inputs['hello']>().toEqualTypeOf<{ name: string }>();
    const api = createTRPCClient<HostRouter>({
      links: [httpBatchLink({ url: 'http://127.0.0.1:9' })],
    });
    expectTypeOf(api.taskpulse.me.query).returns.resolves.toEqualTypeOf<UserDto>();
    expectTypeOf(api.taskpulse.health.query).returns.resolves.toEqualTypeOf<Health>();
  });
});
