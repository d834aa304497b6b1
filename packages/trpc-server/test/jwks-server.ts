/** A tiny HTTP server that serves a JSON Web Key Set, as an identity provider would. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

export interface JwksServer {
  /** The URL of the key set. */
  readonly url: string;
  /** How many times the key set was fetched. */
  readonly fetches: number;
  /** Replaces the served keys. */
  setKeys(keys: JWK[]): void;
  /** Answers 500 instead of the key set while true. */
  setBroken(broken: boolean): void;
  close(): Promise<void>;
}

export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  let served = keys;
  let broken = false;
  let fetches = 0;
  const server = createServer((req, res) => {
    fetches += 1;
    if (broken || req.url !== '/.well-known/jwks.json') {
      res.writeHead(broken ? 500 : 404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: served }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get fetches() {
      return fetches;
    },
    setKeys: (next) => {
      served = next;
    },
    setBroken: (value) => {
      broken = value;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
