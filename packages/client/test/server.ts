/**
 * A taskpulse server for the client's tests: the trpc-server test harness (a real server on a
 * fresh PostgreSQL database), with TCP proxies that a test can cut in front of the database and
 * in front of the server, and opaque tokens that the test issues and revokes.
 */
import { randomUUID } from 'node:crypto';
import { readBearerToken, readConnectionParamsToken } from '@taskpulse/trpc-server';
import { afterAll, beforeAll } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../core/test/tcp-proxy.ts';
import { type TestApi, useTestApi } from '../../trpc-server/test/api.ts';

export { postgresAvailable } from '../../trpc-server/test/api.ts';

/** Opaque tokens: each one names a user until it is revoked. */
export class TokenIssuer {
  readonly #subs = new Map<string, string>();
  /** Every token the server accepted, in order. */
  readonly accepted: string[] = [];
  /** Every token the server refused, in order. */
  readonly refused: string[] = [];

  /** A new token for `sub`. */
  issue(sub: string): string {
    const token = `tok-${randomUUID()}`;
    this.#subs.set(token, sub);
    return token;
  }

  /** From now on, `token` is refused. */
  revoke(token: string): void {
    this.#subs.delete(token);
  }

  /** The user `token` names, or null when it is unknown or revoked. */
  check(token: string | undefined): string | null {
    if (token === undefined) return null;
    const sub = this.#subs.get(token) ?? null;
    (sub === null ? this.refused : this.accepted).push(token);
    return sub;
  }
}

export interface ClientTestServer {
  /** The server's own base URL. */
  readonly directUrl: string;
  /** The server's base URL through a proxy that `http` cuts. */
  readonly url: string;
  readonly api: TestApi;
  readonly tokens: TokenIssuer;
  /** In front of PostgreSQL: cut it to make the database unreachable. */
  readonly database: TcpProxy;
  /** In front of the HTTP server: cut it to drop the client's connections. */
  readonly http: TcpProxy;
}

/**
 * Opens the server in `beforeAll` and closes it in `afterAll`. Its users authenticate with
 * tokens from `tokens`; rate limits are off unless `userBudget` sets one per user.
 */
export function useClientTestServer(options: { userBudget?: number } = {}): ClientTestServer {
  const tokens = new TokenIssuer();
  let database: TcpProxy | undefined;
  let http: TcpProxy | undefined;
  const api = useTestApi({
    databaseUrl: async (url) => {
      const target = new URL(url);
      database = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      target.port = String(database.port);
      return target.toString();
    },
    server: (tp, logs) => ({
      taskpulse: tp,
      logger: logs.logger,
      auth: {
        resolveUser: (request) => {
          const sub = tokens.check(
            readBearerToken(request.headers) ?? readConnectionParamsToken(request),
          );
          return sub === null
            ? null
            : { sub, name: sub, email: `${sub}@example.com`, email_verified: true };
        },
      },
      rateLimit: {
        ip: false,
        user:
          options.userBudget === undefined
            ? false
            : { points: options.userBudget, durationSeconds: 60 },
      },
    }),
  });
  let proxiedUrl: string | undefined;
  // after useTestApi's beforeAll (hooks run in order): the server's port is known by then
  beforeAll(async () => {
    const target = new URL(api.url);
    http = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    proxiedUrl = `http://127.0.0.1:${http.port}`;
  });
  afterAll(async () => {
    await http?.close();
    await database?.close();
  });
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not open yet: use it inside a test`);
    return value;
  };
  return {
    get directUrl() {
      return api.url;
    },
    get url() {
      return need(proxiedUrl, 'the HTTP proxy');
    },
    api,
    tokens,
    get database() {
      return need(database, 'the database proxy');
    },
    get http() {
      return need(http, 'the HTTP proxy');
    },
  };
}
