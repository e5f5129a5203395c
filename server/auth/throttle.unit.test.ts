import { describe, expect, it } from 'vitest';
import { AuthThrottle, clientKey } from './throttle.ts';

describe('AuthThrottle', () => {
  it('allows a burst of failures, then asks to wait, and refills over time', () => {
    const t = new AuthThrottle({ burst: 3, perMinute: 6 });
    const now = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfter('10.0.0.1', null, now)).toBe(0);
      t.failed('10.0.0.1', now);
    }
    expect(t.retryAfter('10.0.0.1', null, now)).toBe(10);
    expect(t.retryAfter('10.0.0.2', null, now)).toBe(0);
    expect(t.retryAfter('10.0.0.1', null, now + 10_000)).toBe(0);
  });

  it('lets a credential that worked lately through a braked address', () => {
    const t = new AuthThrottle({ burst: 1, perMinute: 1, goodForMs: 20_000 });
    t.succeeded('good-key', 0);
    t.failed('10.0.0.1', 0);
    expect(t.retryAfter('10.0.0.1', 'guess', 1)).toBeGreaterThan(0);
    expect(t.retryAfter('10.0.0.1', 'good-key', 1)).toBe(0);
    expect(t.retryAfter('10.0.0.1', 'good-key', 25_000)).toBeGreaterThan(0);
  });

  it('stays bounded in memory', () => {
    const t = new AuthThrottle({ burst: 1, maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) t.failed(`10.0.${i >> 8}.${i & 255}`, 0);
    // The oldest addresses were forgotten, the newest are still braked.
    expect(t.retryAfter('10.0.0.0', null, 0)).toBe(0);
    expect(t.retryAfter('10.0.39.15', null, 0)).toBeGreaterThan(0);
  });
});

describe('clientKey', () => {
  it('keys IPv4 by address and IPv6 by its /64', () => {
    expect(clientKey('127.0.0.1')).toBe('127.0.0.1');
    expect(clientKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
  });
});
