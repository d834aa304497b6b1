import { afterAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../../core/test/tcp-proxy.ts';
import { call, postgresAvailable, useTestApi } from '../../test/api.ts';
import { signHs256 } from '../../test/tokens.ts';

describe.skipIf(!postgresAvailable)('when PostgreSQL goes away [postgres]', () => {
  let proxy: TcpProxy | undefined;
  afterAll(() => proxy?.close());
  const api = useTestApi({
    // the API reaches its database through a proxy that the test can cut
    databaseUrl: async (url) => {
      const target = new URL(url);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      target.port = String(proxy.port);
      return target.toString();
    },
  });

  it('turns /health/ready to 503 and fails calls fast with SERVICE_UNAVAILABLE, then recovers', async () => {
    if (!proxy) throw new Error('no proxy');
    const token = await signHs256({ sub: 'outage-user' });
    expect((await call(api.url, 'me', { token })).status).toBe(200);
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);

    proxy.cut();

    const ready = await fetch(`${api.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', database: 'down' });
    const me = await call(api.url, 'me', { token });
    expect(me.status).toBe(503);
    expect(me.body.error.data.code).toBe('SERVICE_UNAVAILABLE');
    expect(me.body.error.message).toMatch(/database cannot be reached/);
    // a user not seen yet cannot be provisioned either: the same answer, not a 500
    const newcomer = await call(api.url, 'me', { token: await signHs256({ sub: 'newcomer' }) });
    expect(newcomer.status).toBe(503);
    const health = await call(api.url, 'health');
    expect(health.body.result.data).toEqual({ status: 'degraded', database: 'down' });
    // the process is still up and says so
    expect((await fetch(`${api.url}/health/live`)).status).toBe(200);

    proxy.restore();

    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt += 1) {
      status = (await fetch(`${api.url}/health/ready`)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    expect((await call(api.url, 'me', { token })).status).toBe(200);
    expect(
      (await call(api.url, 'me', { token: await signHs256({ sub: 'newcomer' }) })).status,
    ).toBe(200);
    const warning = api.logs.lines.find((line) => line.msg === 'procedure failed: unavailable');
    expect(warning).toMatchObject({ procedure: 'me' });
  });
});
