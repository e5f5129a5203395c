import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('upstream backends (decision 0014)', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const keyFile = (text: string, mode: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'hopdeck-keys-'));
    dirs.push(dir);
    const file = join(dir, 'keys');
    writeFileSync(file, text, { mode });
    chmodSync(file, mode);
    return file;
  };

  it('is local mode without --upstream', () => {
    const c = parseConfig([], {});
    expect(c.upstreams).toEqual([]);
    expect(c.defaultBackend).toBe('local');
  });

  it('takes one unnamed upstream with HOPX_API_KEY, the default for creates', () => {
    const c = parseConfig(['--upstream', 'https://api.hopx.dev/'], { HOPX_API_KEY: 'k_123' });
    expect(c.upstreams).toEqual([{ name: 'upstream', url: 'https://api.hopx.dev', apiKey: 'k_123' }]);
    expect(c.defaultBackend).toBe('upstream');
  });

  it('takes named upstreams from flags or the comma-separated variable, keys per name or from a file', () => {
    const file = keyFile('# keys\nbig=k_file\n', 0o600);
    const c = parseConfig(
      ['--upstream', 'cloud=https://api.hopx.dev', '--upstream', 'big=http://10.0.0.2:7070'],
      {
        HOPDECK_UPSTREAM_KEY_CLOUD: 'k_env',
        HOPDECK_UPSTREAM_KEY_FILE: file,
        HOPDECK_DEFAULT_BACKEND: 'local',
      },
    );
    expect(c.upstreams.map((u) => [u.name, u.apiKey])).toEqual([
      ['cloud', 'k_env'],
      ['big', 'k_file'],
    ]);
    expect(c.defaultBackend).toBe('local');
    const e = parseConfig([], {
      HOPDECK_UPSTREAM: 'a=http://a.example,b=http://b.example',
      HOPX_API_KEY: 'ka',
      HOPDECK_UPSTREAM_KEY_B: 'kb',
    });
    expect(e.upstreams.map((u) => u.name)).toEqual(['a', 'b']);
  });

  it.each([
    [['--upstream', 'https://api.hopx.dev'], {}, /no API key for backend "upstream"/],
    [['--upstream', 'local=https://x.example'], { HOPX_API_KEY: 'k' }, /"local" is the engine/],
    [['--upstream', 'file=https://x.example'], { HOPX_API_KEY: 'k' }, /"file" is reserved/],
    [['--upstream', 'ftp://x.example'], { HOPX_API_KEY: 'k' }, /http/],
    [['--upstream', 'https://user:pw@x.example'], { HOPX_API_KEY: 'k' }, /no key or password/],
    [
      ['--upstream', 'https://x.example', '--default-backend', 'other'],
      { HOPX_API_KEY: 'k' },
      /--default-backend/,
    ],
  ])('refuses %j', (argv, env, re) => {
    expect(() => parseConfig(argv, env)).toThrow(ConfigError);
    expect(() => parseConfig(argv, env)).toThrow(re);
  });

  it('refuses a key file others can read, and never echoes a key in its messages', () => {
    const open = keyFile('upstream=k_secret_value\n', 0o644);
    expect(() => parseConfig(['--upstream', 'https://x.example', '--upstream-key-file', open], {})).toThrow(
      /readable by group or others/,
    );
    const bad = keyFile('upstream k_secret_value\n', 0o600);
    let message = '';
    try {
      parseConfig(['--upstream', 'https://x.example', '--upstream-key-file', bad], {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/line 1 is not name=key/);
    expect(message).not.toContain('k_secret_value');
  });
});
