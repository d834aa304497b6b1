/** A statement never hangs a caller: the server cancels it, or the client stops waiting. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres } from '../../test/databases.ts';
import { as, createUsers } from '../../test/fixtures.ts';
import { startTcpProxy, type TcpProxy } from '../../test/tcp-proxy.ts';
import { runRead } from '../context.ts';
import { createTaskpulse, type Taskpulse } from '../create-taskpulse.ts';
import { getStatistics } from '../stats/index.ts';

describePostgres('query timeouts', (db) => {
  let tp: Taskpulse;
  let proxy: TcpProxy;
  beforeAll(async () => {
    const url = new URL(db.url!);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    tp = await createTaskpulse({
      database: { url: url.toString(), queryTimeoutMs: 300 },
      cache: false,
    });
    await createUsers(tp, ['alice']);
  });
  afterAll(async () => {
    await tp?.close();
    await proxy?.close();
  });

  it('has the server cancel a statement that runs too long: UNAVAILABLE, and the pool goes on', async () => {
    const started = Date.now();
    const error = await runRead(() => tp.fork().execute('select pg_sleep(3)')).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect((await getStatistics(as(tp, 'alice'))).total).toBe(0);
  });

  it('stops waiting for a server that went silent (a black hole), then recovers when it answers', async () => {
    await getStatistics(as(tp, 'alice'));
    proxy.freeze();
    const started = Date.now();
    const error = await getStatistics(as(tp, 'alice')).catch((caught: unknown) => caught);
    const waited = Date.now() - started;
    proxy.restore();
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    // statement timeout (unanswered) + 5 s client-side margin, bounded well before a TCP timeout
    expect(waited).toBeLessThan(15_000);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const result = await getStatistics(as(tp, 'alice')).catch(() => undefined);
      if (result) {
        expect(result.total).toBe(0);
        break;
      }
      if (Date.now() > deadline) throw new Error('did not recover after the link came back');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
