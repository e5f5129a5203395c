import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

describe('hopdeck serve configuration', () => {
  it('uses documented defaults', () => {
    const c = parseConfig([], {});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 7070,
      framesPort: 7071,
      agentPorts: [7100, 7999],
      isolation: 'bwrap',
      rateLimit: 6000,
      warmPool: 1,
    });
    expect(c.dataDir).toMatch(/\.hopdeck$/);
  });

  it('reads flags before environment variables', () => {
    const c = parseConfig(['--port', '8080', '--agent-ports', '9000-9010', '--isolation', 'none'], {
      HOPDECK_PORT: '9999',
      HOPDECK_WARM_POOL: '0',
      HOPDECK_CORS_ORIGIN: 'http://127.0.0.1:5173',
      HOPDECK_DATA_DIR: '/tmp/x-data',
    });
    expect(c.port).toBe(8080);
    expect(c.framesPort).toBe(8081);
    expect(c.agentPorts).toEqual([9000, 9010]);
    expect(c.isolation).toBe('none');
    expect(c.warmPool).toBe(0);
    expect(c.corsOrigin).toBe('http://127.0.0.1:5173');
    expect(c.dataDir).toBe('/tmp/x-data');
  });

  it.each([
    [['--port', 'abc'], /--port/],
    [['--port', '70000'], /--port/],
    [['--agent-ports', '9000'], /--agent-ports/],
    [['--agent-ports', '9010-9000'], /--agent-ports/],
    [['--isolation', 'docker'], /--isolation/],
    [['--rate-limit', '0'], /--rate-limit/],
    [['--cors-origin', 'not a url'], /--cors-origin/],
    [['--bogus'], /bogus/],
  ])('rejects %j with a message naming the flag', (argv, re) => {
    expect(() => parseConfig(argv, {})).toThrow(ConfigError);
    expect(() => parseConfig(argv, {})).toThrow(re);
  });
});
