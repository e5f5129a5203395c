/** The gateway's request checks, on their own. */
import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { SignJWT } from 'jose';
import { VerifiedTokens, forwardedPath, originAllowed, parseTarget } from './access.ts';

const req = (url: string) => ({ url, headers: {} }) as unknown as IncomingMessage;

async function jwtWithExp(exp: number): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new Uint8Array(32));
}

describe('gateway access helpers', () => {
  it('keeps a verified token only for its sandbox and until it expires', async () => {
    const cache = new VerifiedTokens(2);
    const now = Math.floor(Date.now() / 1000);
    const token = await jwtWithExp(now + 60);
    cache.add('sandbox_a', token);
    expect(cache.has('sandbox_a', token)).toBe(true);
    expect(cache.has('sandbox_b', token)).toBe(false);
    expect(cache.has('sandbox_a', token, (now + 61) * 1000)).toBe(false);
    expect(cache.has('sandbox_a', token)).toBe(false);
    cache.add('sandbox_a', 'not-a-jwt');
    expect(cache.has('sandbox_a', 'not-a-jwt')).toBe(false);
  });

  it('forgets the oldest entries beyond its bound', async () => {
    const cache = new VerifiedTokens(2);
    const exp = Math.floor(Date.now() / 1000) + 60;
    const [a, b, c] = await Promise.all([jwtWithExp(exp), jwtWithExp(exp + 1), jwtWithExp(exp + 2)]);
    cache.add('s', a as string);
    cache.add('s', b as string);
    cache.add('s', c as string);
    expect([cache.has('s', a as string), cache.has('s', b as string), cache.has('s', c as string)]).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('forwards the path and query without the token, and never turns //host into a host', () => {
    expect(forwardedPath(parseTarget(req('/files/read?path=/a%20b&token=abc&x=1')))).toBe(
      '/files/read?path=/a%20b&x=1',
    );
    expect(forwardedPath(parseTarget(req('//evil.test/x')))).toBe('//evil.test/x');
    expect(() => parseTarget(req('http://evil.test/x'))).toThrow(/path/);
  });

  it('matches origins exactly, with * as an explicit wildcard', () => {
    expect(originAllowed('http://127.0.0.1:7070', ['http://127.0.0.1:7070'])).toBe(true);
    expect(originAllowed('http://127.0.0.1:7071', ['http://127.0.0.1:7070'])).toBe(false);
    expect(originAllowed('http://anything', ['*'])).toBe(true);
  });
});
