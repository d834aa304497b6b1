/**
 * Gives back to the pool the connections that PostgreSQL (or the network) dropped while they
 * were checked out.
 *
 * A transaction runs on one pooled `pg` client, checked out by Kysely's controlled transaction
 * (what MikroORM's `em.transactional()` uses). When the connection is lost in the middle, the
 * rollback that follows fails on the dead connection, and Kysely then never releases the client:
 * the pool keeps counting it as in use, for good. Every outage leaked the transactions in flight,
 * and once `poolSize` had leaked, every request waited for a connection that never came.
 *
 * With this guard, a client whose connection ends while checked out is released with the error
 * (so the pool discards it and opens a fresh one when needed), and a release by its holder
 * afterwards is a no-op rather than pg-pool's "released twice" error.
 */

/** What the guard needs of a `pg` client. */
interface PooledClient {
  release: (error?: Error | boolean) => void;
  once(event: 'end', listener: () => void): unknown;
  removeListener(event: 'end', listener: () => void): unknown;
}

type ConnectCallback = (error: Error | undefined, client?: PooledClient, release?: unknown) => void;

/** What the guard needs of a `pg` pool. */
export interface GuardablePool {
  connect(callback?: ConnectCallback): Promise<PooledClient> | undefined;
}

/** Wraps the release of a freshly checked-out client; see the module's comment. */
function guard(client: PooledClient): void {
  const release = client.release;
  let released = false;
  const onEnd = () => {
    if (released) return;
    released = true;
    release(new Error('taskpulse: the connection was lost while checked out'));
  };
  client.once('end', onEnd);
  client.release = (error) => {
    if (released) return;
    released = true;
    client.removeListener('end', onEnd);
    release(error);
  };
}

const guarded = new WeakSet<GuardablePool>();

/**
 * Makes every client `pool` hands out release itself when its connection is lost. Idempotent:
 * a pool is guarded once, however many times this is called on it.
 */
export function releaseLostConnections(pool: GuardablePool): void {
  if (guarded.has(pool)) return;
  guarded.add(pool);
  const connect = pool.connect.bind(pool);
  pool.connect = (callback?: ConnectCallback) => {
    if (callback) {
      // pg-pool's own pool.query() checks out this way, and releases via client.release
      return connect((error, client) => {
        if (client) guard(client);
        callback(error, client, client?.release);
      });
    }
    return (connect() as Promise<PooledClient>).then((client) => {
      guard(client);
      return client;
    });
  };
}
