import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRedis, redisAvailable, testRedisUrl } from '../../../core/test/redis.ts';
import { startTcpProxy, type TcpProxy } from '../../../core/test/tcp-proxy.ts';
import { type CallResult, call, postgresAvailable, useTestApi } from '../../test/api.ts';
import { sampleValue } from '../../test/metrics.ts';
import { signHs256, TEST_SECRET } from '../../test/tokens.ts';
import { createTaskpulseServer, type TaskpulseServer } from '../index.ts';

const budget = { points: 3, durationSeconds: 60 };

function expectLimited(response: CallResult) {
  expect(response.status).toBe(429);
  expect(response.body.error.data.code).toBe('TOO_MANY_REQUESTS');
  const { retryAfterMs } = response.body.error.data;
  expect(retryAfterMs).toBeGreaterThan(0);
  expect(retryAfterMs).toBeLessThanOrEqual(60_000);
  const header = Number(response.headers.get('retry-after'));
  expect(header).toBeGreaterThanOrEqual(1);
  expect(header).toBeLessThanOrEqual(60);
}

const from = (ip: string) => ({ 'x-forwarded-for': ip });

describe.skipIf(!postgresAvailable)('rate limits in memory [postgres]', () => {
  const api = useTestApi({
    server: (tp, logs) => ({
      taskpulse: tp,
      auth: { secret: TEST_SECRET },
      logger: logs.logger,
      trustProxy: true,
      rateLimit: { ip: budget, user: budget },
    }),
  });

  it('limits each user, whatever address the calls come from', async () => {
    const token = await signHs256({ sub: 'busy-user' });
    for (let i = 1; i <= 3; i += 1) {
      expect((await call(api.url, 'me', { token, headers: from(`10.1.0.${i}`) })).status).toBe(200);
    }
    expectLimited(await call(api.url, 'me', { token, headers: from('10.1.0.9') }));
    // another user is not affected
    const other = await signHs256({ sub: 'calm-user' });
    expect((await call(api.url, 'me', { token: other, headers: from('10.1.1.1') })).status).toBe(
      200,
    );
  });

  it('limits each address before authentication', async () => {
    for (let i = 0; i < 3; i += 1) {
      expect((await call(api.url, 'health', { headers: from('10.2.0.1') })).status).toBe(200);
    }
    const limited = await call(api.url, 'health', { headers: from('10.2.0.1') });
    expectLimited(limited);
    expect(limited.body.error.message).toMatch(/from this address/);
    // unauthenticated calls spend the address's budget too, before their token is looked at
    expect((await call(api.url, 'me', { headers: from('10.2.0.1') })).status).toBe(429);
    expect((await call(api.url, 'health', { headers: from('10.2.0.2') })).status).toBe(200);
  });

  it('counts every call of a batch', async () => {
    const token = await signHs256({ sub: 'batch-user' });
    const response = await fetch(`${api.url}/trpc/me,me,me,me?batch=1`, {
      headers: { authorization: `Bearer ${token}`, ...from('10.3.0.1') },
    });
    const body = (await response.json()) as { error?: { data: { code: string } } }[];
    expect(body.filter((item) => item.error?.data.code === 'TOO_MANY_REQUESTS')).toHaveLength(1);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('counts refusals in the metrics', async () => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(sampleValue(text, 'taskpulse_rate_limited_total', { scope: 'user' })).toBeGreaterThan(0);
    expect(sampleValue(text, 'taskpulse_rate_limited_total', { scope: 'ip' })).toBeGreaterThan(0);
    expect(
      sampleValue(text, 'taskpulse_requests_total', {
        procedure: 'me',
        outcome: 'TOO_MANY_REQUESTS',
      }),
    ).toBeGreaterThan(0);
  });
});

describe.skipIf(!postgresAvailable || !redisAvailable)('rate limits shared through Redis', () => {
  describeRedis('two instances', () => {
    const keyPrefix = `taskpulse-test:${randomBytes(4).toString('hex')}`;
    const api = useTestApi({
      server: (tp, logs) => ({
        taskpulse: tp,
        auth: { secret: TEST_SECRET },
        logger: logs.logger,
        rateLimit: { ip: false, user: budget, redis: { url: testRedisUrl }, keyPrefix },
      }),
    });
    let second: TaskpulseServer;
    let secondUrl: string;
    const redis = new Redis(testRedisUrl, { lazyConnect: true });
    beforeAll(async () => {
      second = createTaskpulseServer({
        taskpulse: api.tp,
        auth: { secret: TEST_SECRET },
        logger: api.logs.logger,
        rateLimit: { ip: false, user: budget, redis: { client: redis }, keyPrefix },
      });
      ({ url: secondUrl } = await second.listen(0, '127.0.0.1'));
    });
    afterAll(async () => {
      await second?.close();
      const keys = await redis.keys(`${keyPrefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    });

    it('shares one budget between the instances', async () => {
      const token = await signHs256({ sub: 'roaming-user' });
      expect((await call(api.url, 'me', { token })).status).toBe(200);
      expect((await call(secondUrl, 'me', { token })).status).toBe(200);
      expect((await call(api.url, 'me', { token })).status).toBe(200);
      expectLimited(await call(secondUrl, 'me', { token }));
      expect(await redis.get(`${keyPrefix}:user:roaming-user`)).toBe('4');
    });
  });

  describeRedis('Redis unreachable', () => {
    const keyPrefix = `taskpulse-test:${randomBytes(4).toString('hex')}`;
    let proxy: TcpProxy;
    beforeAll(async () => {
      const { hostname, port } = new URL(testRedisUrl);
      proxy = await startTcpProxy({ host: hostname, port: Number(port || 6379) });
    });
    afterAll(() => proxy?.close());
    const api = useTestApi({
      server: (tp, logs) => ({
        taskpulse: tp,
        auth: { secret: TEST_SECRET },
        logger: logs.logger,
        rateLimit: {
          ip: false,
          user: budget,
          redis: { url: `redis://127.0.0.1:${proxy.port}` },
          keyPrefix,
        },
      }),
    });

    it('falls back to in-memory counting while Redis is away, and back to Redis after', async () => {
      const redis = new Redis(testRedisUrl);
      try {
        const token = await signHs256({ sub: 'offline-user' });
        expect((await call(api.url, 'me', { token })).status).toBe(200);
        expect(await redis.get(`${keyPrefix}:user:offline-user`)).toBe('1');

        proxy.cut();
        // every call is answered, and the budget still holds, counted in memory
        const answers: number[] = [];
        for (let i = 0; i < 4; i += 1) answers.push((await call(api.url, 'me', { token })).status);
        expect(answers).toEqual([200, 200, 200, 429]);

        proxy.restore();
        const fresh = await signHs256({ sub: 'back-online-user' });
        let counted: string | null = null;
        // the client reconnects in the background; until it does, memory keeps counting
        for (let attempt = 0; attempt < 50 && counted === null; attempt += 1) {
          expect((await call(api.url, 'me', { token: fresh })).status).not.toBe(500);
          counted = await redis.get(`${keyPrefix}:user:back-online-user`);
          if (counted === null) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(counted).not.toBeNull();
      } finally {
        const keys = await redis.keys(`${keyPrefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
      }
    });
  });
});
