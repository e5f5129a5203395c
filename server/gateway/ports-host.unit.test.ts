import { describe, expect, it } from 'vitest';
import { parseNetDev } from '../agent/metrics-history.ts';
import { parseProcNetTcp, tunnelTarget } from '../agent/routes/ports.ts';
import { GatewayError } from './errors.ts';
import { parsePortHost, portUrl, withoutLinkParam } from './ports-host.ts';
import { downstreamHeaders } from './ports-proxy.ts';
import { PortTokens } from './ports-tokens.ts';

const ID = 'sandbox_abcdefghij012345';

describe('port hosts', () => {
  it('parses <port>-<id>.localhost[:port] and leaves other hosts alone', () => {
    expect(parsePortHost(`8000-${ID}.localhost:7070`)).toEqual({ port: 8000, sandboxId: ID });
    expect(parsePortHost(`65535-${ID}.LOCALHOST`)).toEqual({ port: 65535, sandboxId: ID });
    expect(portUrl(ID, 8000, 7070)).toBe(`http://8000-${ID}.localhost:7070/`);
    for (const other of [
      '127.0.0.1:7070',
      'localhost:7070',
      'a.localhost',
      `x.8000-${ID}.localhost`,
      undefined,
    ])
      expect(parsePortHost(other)).toBeNull();
    for (const bad of ['0', '65536', 'abc', '08000', '1e3', '99999999'])
      expect(parsePortHost(`${bad}-${ID}.localhost`), bad).toMatchObject({
        statusCode: 400,
        code: 'INVALID_PORT',
      });
    expect(parsePortHost('8000-sandbox_SHORT.localhost')).toBeInstanceOf(GatewayError);
  });

  it('strips only the link parameter from the request target', () => {
    expect(withoutLinkParam('/a?hopdeck_token=x&b=1&hopdeck_token=y')).toBe('/a?b=1');
    expect(withoutLinkParam('/a?hopdeck_token=x')).toBe('/a');
    expect(withoutLinkParam('/a?b=%20')).toBe('/a?b=%20');
  });

  it('drops cookies a sandbox sets beyond its own host or in the engine’s name', () => {
    const out = downstreamHeaders([
      'Set-Cookie',
      'a=1; Path=/',
      'Set-Cookie',
      'b=2; Domain=localhost',
      'Set-Cookie',
      'hopdeck_session=x',
      'Connection',
      'keep-alive',
      'Content-Type',
      'text/html',
    ]);
    expect(out).toEqual([
      ['Set-Cookie', 'a=1; Path=/'],
      ['Content-Type', 'text/html'],
    ]);
  });
});

describe('port tokens', () => {
  const t = new PortTokens(new Uint8Array(32).fill(7));
  it('bind kind, sandbox, port and expiry; links are spent once', () => {
    const { token } = t.issue('link', ID, 8000);
    const claims = t.check(token, 'link', ID, 8000);
    expect(claims).not.toBeNull();
    expect(t.check(token, 'cookie', ID, 8000)).toBeNull();
    expect(t.check(token, 'link', ID, 8001)).toBeNull();
    expect(t.check(token, 'link', 'sandbox_0000000000000000', 8000)).toBeNull();
    expect(t.check(token, 'link', ID, 8000, Date.now() + 11 * 60_000)).toBeNull();
    expect(t.check(`${token}x`, 'link', ID, 8000)).toBeNull();
    expect(new PortTokens(new Uint8Array(32).fill(8)).check(token, 'link', ID, 8000)).toBeNull();
    if (!claims) throw new Error('unreachable');
    expect(t.spend(claims)).toBe(true);
    expect(t.spend(claims)).toBe(false);
  });
});

describe('agent parsers', () => {
  it('reads listening sockets from /proc/net/tcp and tcp6', () => {
    const v4 = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000 100001        0 4242 1',
      '   1: 0100007F:1F41 0100007F:9C40 01 00000000:00000000 00:00000000 00000000 100001        0 4243 1',
    ].join('\n');
    expect(parseProcNetTcp(v4, false)).toEqual([{ port: 8000, address: '127.0.0.1', inode: '4242' }]);
    const v6 = [
      'header',
      '   0: 00000000000000000000000000000000:1F40 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 100001 0 77 1',
    ].join('\n');
    expect(parseProcNetTcp(v6, true)).toEqual([{ port: 8000, address: '::', inode: '77' }]);
  });

  it('accepts only loopback CONNECT targets with a valid port', () => {
    expect(tunnelTarget('127.0.0.1:8000')).toBe(8000);
    expect(tunnelTarget('localhost:1')).toBe(1);
    for (const bad of [
      '10.0.2.2:80',
      '127.0.0.1:0',
      '127.0.0.1:65536',
      '127.0.0.1:abc',
      'host:80',
      undefined,
    ])
      expect(tunnelTarget(bad), String(bad)).toBeNull();
  });

  it('sums network bytes over every interface but loopback', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:  100 1 0 0 0 0 0 0  100 1 0 0 0 0 0 0',
      '  tap0: 5000 9 0 0 0 0 0 0  700 4 0 0 0 0 0 0',
    ].join('\n');
    expect(parseNetDev(text)).toEqual({ rx: 5000, tx: 700 });
    expect(parseNetDev('a\nb\n    lo: 1 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0')).toBeNull();
  });
});
