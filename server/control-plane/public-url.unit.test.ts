import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.ts';
import { toApiSandbox } from './view.ts';
import { addresses, parsePublicUrl } from './public-url.ts';
import type { SandboxRecord } from '../store/sandboxes.ts';

const ID = 'sandbox_0123456789abcdef';
const record = { id: ID, port: 7123 } as SandboxRecord;

describe('public URL (decision 0013)', () => {
  it('builds every URL handed out from the public URL, never from the listen address', () => {
    const a = addresses({
      publicUrl: 'https://Hopdeck.Example.com/',
      host: '0.0.0.0',
      port: 7070,
      listenPort: () => 7070,
      framesPort: 7071,
    });
    expect(a.dashboardUrl).toBe('https://hopdeck.example.com');
    expect(a.dashboardOrigins).toEqual(['https://hopdeck.example.com']);
    expect(a.framesOrigin).toBe('https://frames.hopdeck.example.com');
    const s = toApiSandbox(record, a);
    expect(s.public_host).toBe(`https://7777-${ID}.hopdeck.example.com`);
    expect(s.direct_url).toBe(s.public_host);
    expect(s.preview_url).toBe(`https://8000-${ID}.hopdeck.example.com/`);
    expect(a.portUrl(ID, 3000)).toBe(`https://3000-${ID}.hopdeck.example.com/`);
  });

  it('keeps a non-default public port in every URL', () => {
    const a = addresses({
      publicUrl: 'https://hopdeck.localhost:8443',
      host: '127.0.0.1',
      port: 7070,
      listenPort: () => 7070,
      framesPort: 7071,
    });
    expect(a.framesOrigin).toBe('https://frames.hopdeck.localhost:8443');
    expect(a.agentUrl(ID, 7123)).toBe(`https://7777-${ID}.hopdeck.localhost:8443`);
    expect(a.hostSuffix).toBe('hopdeck.localhost');
  });

  it('without it, stays on the listen address with loopback gateway ports', () => {
    const a = addresses({ host: '0.0.0.0', port: 7070, listenPort: () => 7070, framesPort: 7071 });
    expect(a.public).toBeNull();
    expect(a.dashboardOrigins).toEqual(['http://127.0.0.1:7070', 'http://localhost:7070']);
    const s = toApiSandbox(record, a);
    expect(s.public_host).toBe('http://127.0.0.1:7123');
    expect(s.preview_url).toBe(`http://8000-${ID}.localhost:7070/`);
    expect(a.framesOrigin).toBe('http://127.0.0.1:7071');
  });

  it.each([
    'ftp://hopdeck.example.com',
    'https://hopdeck.example.com/sub',
    'https://hopdeck.example.com/?q=1',
    'https://user:pw@hopdeck.example.com',
    'https://10.0.0.1',
    'https://localhost',
    'https://hop_deck.example.com',
    'not a url',
  ])('refuses %s', (text) => {
    expect(() => parsePublicUrl(text)).toThrow();
    expect(() => parseConfig(['--public-url', text], {})).toThrow(/--public-url/);
  });

  it('reads --public-url and HOPDECK_PUBLIC_URL (the flag first) as an origin', () => {
    expect(parseConfig([], { HOPDECK_PUBLIC_URL: 'https://a.example.com/' }).publicUrl).toBe(
      'https://a.example.com',
    );
    expect(
      parseConfig(['--public-url', 'https://b.example.com:8443'], {
        HOPDECK_PUBLIC_URL: 'https://a.example.com',
      }).publicUrl,
    ).toBe('https://b.example.com:8443');
    expect(parseConfig([], {}).publicUrl).toBeUndefined();
  });
});
