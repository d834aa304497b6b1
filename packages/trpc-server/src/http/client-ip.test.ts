import { describe, expect, it } from 'vitest';
import { clientIp, compileTrustProxy, type TrustProxy } from './client-ip.ts';

/** A proxy between the client and the server: its own address, and what it does with the header. */
interface Proxy {
  address: string;
  /** nginx `$proxy_add_x_forwarded_for` (most load balancers): appends its peer; else overwrites. */
  mode: 'append' | 'overwrite';
}

/**
 * What reaches the server when `client` sends `spoofed` (its own X-Forwarded-For, or none)
 * through `proxies`, nearest to the client first: the header and the socket's address.
 */
function through(client: string, spoofed: string | undefined, proxies: Proxy[]) {
  let header = spoofed;
  let peer = client;
  for (const proxy of proxies) {
    header = proxy.mode === 'append' && header ? `${header}, ${peer}` : peer;
    peer = proxy.address;
  }
  return { header, peer };
}

const client = '203.0.113.7';
const spoofs = [undefined, '6.6.6.6', '6.6.6.6, 7.7.7.7', '10.0.0.9', 'not-an-ip', '127.0.0.1'];
const nginx: Proxy = { address: '10.0.0.2', mode: 'append' };
const balancer: Proxy = { address: '10.0.1.5', mode: 'append' };
const cdn: Proxy = { address: '198.51.100.20', mode: 'append' };
const overwriting: Proxy = { address: '10.0.0.3', mode: 'overwrite' };

const matrix: { name: string; proxies: Proxy[]; trust: TrustProxy }[] = [
  { name: 'one appending proxy, 1 hop', proxies: [nginx], trust: 1 },
  { name: 'one appending proxy, true (= 1 hop)', proxies: [nginx], trust: true },
  { name: 'one appending proxy, its address', proxies: [nginx], trust: '10.0.0.2' },
  { name: 'one appending proxy, a CIDR', proxies: [nginx], trust: ['10.0.0.0/8'] },
  { name: 'one appending proxy, uniquelocal', proxies: [nginx], trust: 'uniquelocal' },
  { name: 'one overwriting proxy, 1 hop', proxies: [overwriting], trust: 1 },
  { name: 'one overwriting proxy, its address', proxies: [overwriting], trust: ['10.0.0.3'] },
  { name: 'two appending proxies, 2 hops', proxies: [balancer, nginx], trust: 2 },
  {
    name: 'two appending proxies, a CIDR',
    proxies: [balancer, nginx],
    trust: '10.0.0.0/16, 10.0.1.0/24',
  },
  {
    name: 'CDN, balancer and nginx appending, 3 hops',
    proxies: [cdn, balancer, nginx],
    trust: 3,
  },
  {
    name: 'CDN, balancer and nginx appending, addresses and a CIDR',
    proxies: [cdn, balancer, nginx],
    trust: ['198.51.100.0/24', '10.0.0.0/8'],
  },
  { name: 'overwriting then appending, 2 hops', proxies: [overwriting, nginx], trust: 2 },
  {
    name: 'overwriting then appending, a CIDR',
    proxies: [overwriting, nginx],
    trust: ['10.0.0.0/8'],
  },
  {
    name: 'a trust function',
    proxies: [balancer, nginx],
    trust: (address) => address.startsWith('10.0.'),
  },
];

describe('clientIp (issue 20: the client IP behind proxies)', () => {
  for (const { name, proxies, trust } of matrix) {
    it(`${name}: the client's own address, whatever it sends`, () => {
      const compiled = compileTrustProxy(trust);
      for (const spoofed of spoofs) {
        const { header, peer } = through(client, spoofed, proxies);
        expect(clientIp(header, peer, compiled), `spoofed ${spoofed}`).toBe(client);
      }
    });
  }

  it('regression: behind an appending proxy, the left-most entry the client wrote is not its address', () => {
    const { header, peer } = through(client, '6.6.6.6', [nginx]);
    expect(header).toBe(`6.6.6.6, ${client}`);
    expect(clientIp(header, peer, compileTrustProxy(true))).toBe(client);
  });

  it('too few trusted hops give a proxy address (a shared bucket), never a spoofed one', () => {
    const { header, peer } = through(client, '6.6.6.6', [cdn, balancer, nginx]);
    expect(clientIp(header, peer, compileTrustProxy(1))).toBe(balancer.address);
    expect(clientIp(header, peer, compileTrustProxy(2))).toBe(cdn.address);
    expect(clientIp(header, peer, compileTrustProxy(['10.0.0.0/8']))).toBe(cdn.address);
  });

  it('too many trusted hops reach what the client wrote (why the count must match)', () => {
    const { header, peer } = through(client, '6.6.6.6', [nginx]);
    expect(clientIp(header, peer, compileTrustProxy(2))).toBe('6.6.6.6');
  });

  it('an untrusted peer is the client, whatever header it sends', () => {
    // a client reaching the server directly, around the trusted proxies
    for (const trust of [
      '10.0.0.0/8',
      ['loopback'],
      (a: string) => a === '10.0.0.2',
    ] as TrustProxy[]) {
      expect(clientIp('6.6.6.6, 10.0.0.2', client, compileTrustProxy(trust))).toBe(client);
    }
    // a direct client, no trust: the header is ignored
    expect(clientIp('6.6.6.6', client, false)).toBe(client);
    expect(clientIp('6.6.6.6', client, compileTrustProxy(false))).toBe(client);
    expect(clientIp('6.6.6.6', client, compileTrustProxy(0))).toBe(client);
  });

  it('IPv6 and IPv4-mapped peers match their CIDRs', () => {
    const trust = compileTrustProxy(['fd00::/8', '10.0.0.0/8']);
    expect(clientIp('6.6.6.6, 2001:db8::1', 'fd00::2', trust)).toBe('2001:db8::1');
    expect(clientIp('6.6.6.6, 203.0.113.9', '::ffff:10.0.0.2', trust)).toBe('203.0.113.9');
    expect(clientIp('6.6.6.6', '2001:db8::5', trust)).toBe('2001:db8::5');
  });

  it('without a socket address (a Fetch request), the peer counts as the first trusted hop', () => {
    expect(clientIp(`6.6.6.6, ${client}`, undefined, compileTrustProxy(1))).toBe(client);
    expect(clientIp(`6.6.6.6, ${client}, 10.0.0.2`, undefined, compileTrustProxy(2))).toBe(client);
    expect(
      clientIp(`6.6.6.6, ${client}, 10.0.0.2`, undefined, compileTrustProxy('10.0.0.0/8')),
    ).toBe(client);
    expect(clientIp(undefined, undefined, compileTrustProxy(1))).toBeUndefined();
    expect(clientIp(client, undefined, false)).toBeUndefined();
  });

  it('keeps the boolean form of its third argument', () => {
    expect(clientIp(`6.6.6.6, ${client}`, '10.0.0.2', true)).toBe(client);
    expect(clientIp(`6.6.6.6, ${client}`, '10.0.0.2', false)).toBe('10.0.0.2');
  });

  it('refuses a bad option with a VALIDATION error naming it', () => {
    for (const bad of [-1, 1.5, '', 'not-an-address', ['10.0.0.0/99'], [], ['loopback', '']]) {
      expect(() => compileTrustProxy(bad as TrustProxy), String(bad)).toThrow(
        expect.objectContaining({
          code: 'VALIDATION',
          message: expect.stringContaining('trustProxy'),
        }),
      );
    }
  });
});
