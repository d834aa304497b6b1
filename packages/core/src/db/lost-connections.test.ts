import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable } from '../../test/databases.ts';
import { as, createUsers, outcome } from '../../test/fixtures.ts';
import { startTcpProxy, type TcpProxy } from '../../test/tcp-proxy.ts';
import { createTaskpulse, type Taskpulse } from '../create-taskpulse.ts';
import { createTask } from '../tasks/index.ts';

interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!postgresAvailable)(
  'connections lost in the middle of transactions [postgres]',
  () => {
    const POOL_SIZE = 4;
    let proxy: TcpProxy;
    let tp: Taskpulse;
    let pool: PoolCounts;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      const database = await createTestDatabase();
      drop = database.drop;
      const url = new URL(database.url);
      proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
      url.port = String(proxy.port);
      tp = await createTaskpulse({
        database: { url: url.toString(), poolSize: POOL_SIZE },
        migrate: true,
        cache: false,
      });
      await createUsers(tp, ['writer']);
      const connection = tp.orm.em.getConnection() as unknown as {
        getNativeClient(): Promise<PoolCounts>;
      };
      pool = await connection.getNativeClient();
    });
    afterAll(async () => {
      await proxy?.close();
      await drop?.();
    });

    /** Writers in parallel, each one transaction after another, while `during` runs. */
    async function writeWhile(writers: number, during: () => Promise<void>) {
      let stop = false;
      const outcomes: Record<string, number> = {};
      const loops = Array.from({ length: writers }, async (_, writer) => {
        for (let i = 0; !stop; i += 1) {
          const result = await outcome(() =>
            createTask(as(tp, 'writer'), { title: `writer ${writer}, task ${i}` }),
          );
          outcomes[result] = (outcomes[result] ?? 0) + 1;
        }
      });
      await during();
      stop = true;
      await Promise.all(loops);
      return outcomes;
    }

    it('regression: each outage leaked the transactions in flight until the pool was exhausted', async () => {
      // twice as many writers as connections: each outage catches every connection in a transaction
      for (let outage = 0; outage < 3; outage += 1) {
        const outcomes = await writeWhile(POOL_SIZE * 2, async () => {
          await sleep(300);
          proxy.cut();
          await sleep(500);
          proxy.restore();
          await sleep(1_000);
        });
        expect(outcomes.UNAVAILABLE).toBeGreaterThan(0);
        // nothing is left checked out once the writers stopped
        expect([pool.totalCount - pool.idleCount, pool.waitingCount]).toEqual([0, 0]);
      }
      // and writes go through at once, on every connection of the pool
      const after = await Promise.all(
        Array.from({ length: POOL_SIZE * 2 }, (_, i) =>
          outcome(() => createTask(as(tp, 'writer'), { title: `after ${i}` })),
        ),
      );
      expect(after.every((result) => result === 'ok')).toBe(true);
    }, 60_000);

    it('closes at once afterwards: no connection is held by a dead transaction', async () => {
      const closed = await Promise.race([
        tp.close().then(() => 'closed'),
        sleep(10_000).then(() => 'still waiting for leaked connections'),
      ]);
      expect(closed).toBe('closed');
    });
  },
);
