/** The pure parts of upstream agent forwarding: where a request goes, and how failures read. */
import { describe, expect, it } from 'vitest';
import { parseTarget } from './access.ts';
import { GatewayError } from './errors.ts';
import { upstreamFailure } from './upstream-errors.ts';
import { upstreamPath } from './upstream-http.ts';
import { upstreamWsAddress } from './upstream-ws.ts';
import type { IncomingMessage } from 'node:http';

const target = (url: string) => parseTarget({ url } as IncomingMessage);

describe('upstream addresses', () => {
  it('keeps the public_host path prefix for HTTP and drops the token parameter', () => {
    const host = new URL('https://7777-abc.eu-1.vms.hopx.dev/agent/');
    expect(upstreamPath(host, target('/files/list?path=/workspace&token=t&x=1'))).toBe(
      '/agent/files/list?path=/workspace&x=1',
    );
    expect(upstreamPath(new URL('http://127.0.0.1:7701'), target('/execute'))).toBe('/execute');
  });

  it('resolves dot segments before anything is appended, so a path never climbs out', () => {
    const host = new URL('http://127.0.0.1:7701/p');
    expect(upstreamPath(host, target('/../../v1/sandboxes'))).toBe('/p/v1/sandboxes');
    expect(upstreamPath(host, target('/a/%2e%2e/%2E%2E/b'))).toBe('/p/b');
  });

  it('keeps only scheme and host:port for WebSockets, as the SDKs do', () => {
    expect(upstreamWsAddress('https://7777-abc.eu-1.vms.hopx.dev/agent', target('/terminal?token=t'))).toBe(
      'wss://7777-abc.eu-1.vms.hopx.dev/terminal',
    );
    expect(upstreamWsAddress('http://127.0.0.1:7701', target('/execute/stream'))).toBe(
      'ws://127.0.0.1:7701/execute/stream',
    );
  });
});

describe('upstream failures', () => {
  const code = (err: unknown, known?: () => boolean) => {
    const e = upstreamFailure(err, 'cloud', known);
    return [e.statusCode, e.code];
  };
  it('maps network errors, timeouts and control-plane answers to the envelope', () => {
    expect(code(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toEqual([
      502,
      'UPSTREAM_UNAVAILABLE',
    ]);
    expect(code(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toEqual([504, 'UPSTREAM_TIMEOUT']);
    expect(code(new Error('Opening handshake has timed out'))).toEqual([504, 'UPSTREAM_TIMEOUT']);
    expect(code({ statusCode: 404 })).toEqual([404, 'SANDBOX_NOT_FOUND']);
    expect(code({ statusCode: 504 })).toEqual([504, 'UPSTREAM_TIMEOUT']);
    expect(code(null)).toEqual([502, 'UPSTREAM_UNAVAILABLE']);
    expect(upstreamFailure(new Error('x'), 'cloud').message).toContain('"cloud"');
  });
  it("passes the upstream's own refusal through, unless the sandbox was forgotten meanwhile", () => {
    const paused = new GatewayError(409, 'SANDBOX_PAUSED', 'Sandbox is paused');
    expect(code(paused)).toEqual([409, 'SANDBOX_PAUSED']);
    expect(code(paused, () => true)).toEqual([409, 'SANDBOX_PAUSED']);
    expect(code(new Error('x'), () => false)).toEqual([404, 'SANDBOX_NOT_FOUND']);
  });
});
