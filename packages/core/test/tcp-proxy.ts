/**
 * A TCP proxy that a test controls, to make a server (PostgreSQL, Redis) unreachable and
 * reachable again without touching the server itself: `cut()` drops every open connection
 * and refuses new ones; `freeze()` turns the link into a black hole (connections stay open,
 * nothing passes either way, as in a network partition); `restore()` lets everything through
 * again.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** The port the proxy listens on, on 127.0.0.1. */
  readonly port: number;
  /** How many client connections are open through the proxy now. */
  readonly connections: number;
  /** Drops every open connection and refuses new ones until `restore()`. */
  cut(): void;
  /**
   * Stops every byte in both directions while keeping connections open, and holds new ones
   * silent: the server seems to hang. Nothing is lost; `restore()` lets it all through.
   */
  freeze(): void;
  /** Lets connections (and frozen bytes) through again. */
  restore(): void;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

/** Starts a proxy from a free port on 127.0.0.1 to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const clients = new Set<Socket>();
  let open = true;
  let frozen = false;
  const server: Server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    if (frozen) {
      client.pause();
      upstream.pause();
    }
    clients.add(client);
    client.on('close', () => clients.delete(client));
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the proxy has no port');
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    port: address.port,
    get connections() {
      return clients.size;
    },
    cut: () => {
      open = false;
      dropAll();
    },
    freeze: () => {
      frozen = true;
      for (const socket of sockets) socket.pause();
    },
    restore: () => {
      open = true;
      frozen = false;
      for (const socket of sockets) socket.resume();
    },
    close: async () => {
      open = false;
      dropAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
