import type { DatabaseKind, TaskpulseOrm } from '../db/open.ts';
import { CHANGE_CHANNEL, type ListenSession } from './postgres-bus.ts';

/** What a LISTEN session needs of node-postgres' pool: its client class and its options. */
interface PoolLike {
  Client: new (
    options: object,
  ) => {
    on(
      event: 'notification',
      listener: (message: { channel: string; payload?: string }) => void,
    ): unknown;
    on(event: 'error', listener: (error: unknown) => void): unknown;
    on(event: 'end', listener: () => void): unknown;
    connect(): Promise<void>;
    query(sql: string): Promise<unknown>;
    end(): Promise<void>;
  };
  options: object;
}

/**
 * A LISTEN session on `orm`'s database: on a server, a dedicated node-postgres client made with
 * the options of the ORM's own pool (LISTEN needs a session of its own, so not a pooled
 * connection, nor one through transaction pooling); on PGlite, the in-process instance's own
 * `listen`.
 */
export function listenSessionFor(orm: TaskpulseOrm, kind: DatabaseKind): ListenSession {
  const connection = orm.driver.getConnection() as unknown as {
    getNativeClient(): Promise<unknown>;
  };
  if (kind === 'postgres') {
    return async (onPayload, onLost) => {
      const pool = (await connection.getNativeClient()) as PoolLike;
      const client = new pool.Client({ ...pool.options, connectionTimeoutMillis: 5_000 });
      let stopping = false;
      const lost = (error: unknown) => {
        if (stopping) return;
        stopping = true;
        client.end().catch(() => {});
        onLost(error);
      };
      client.on('notification', (message) => {
        if (message.channel === CHANGE_CHANNEL && message.payload !== undefined)
          onPayload(message.payload);
      });
      client.on('error', lost);
      client.on('end', () => lost(new Error('the LISTEN session ended')));
      await client.connect();
      await client.query(`listen ${CHANGE_CHANNEL}`);
      return async () => {
        stopping = true;
        await client.end();
      };
    };
  }
  return async (onPayload) => {
    const pglite = (await connection.getNativeClient()) as {
      listen(channel: string, cb: (payload: string) => void): Promise<() => Promise<void>>;
    };
    const unlisten = await pglite.listen(CHANGE_CHANNEL, onPayload);
    return async () => {
      await unlisten().catch(() => {});
    };
  };
}
