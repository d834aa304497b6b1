import type { DatabaseConfig } from '../db/config.ts';
import type { TaskpulseOrm } from '../db/open.ts';
import { CHANGE_CHANNEL, type ListenSession } from './postgres-bus.ts';

/**
 * A LISTEN session for the configured database: a dedicated node-postgres client on a
 * server (LISTEN needs a session of its own, so not through transaction pooling), or the
 * in-process PGlite's own `listen`.
 */
export function listenSessionFor(orm: TaskpulseOrm, database: DatabaseConfig): ListenSession {
  if ('url' in database) {
    return async (onPayload, onLost) => {
      const { default: pg } = await import('pg');
      const client = new pg.Client({
        connectionString: database.url,
        connectionTimeoutMillis: 5_000,
      });
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
    const connection = orm.driver.getConnection() as unknown as {
      getNativeClient(): Promise<{
        listen(channel: string, cb: (payload: string) => void): Promise<() => Promise<void>>;
      }>;
    };
    const pglite = await connection.getNativeClient();
    const unlisten = await pglite.listen(CHANGE_CHANNEL, onPayload);
    return async () => {
      await unlisten().catch(() => {});
    };
  };
}
