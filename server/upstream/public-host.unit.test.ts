import { describe, expect, it } from 'vitest';
import { addressClass, refusePublicHost } from './public-host.ts';

const own = (p: number) => p === 8080 || (p >= 7000 && p <= 7999);

describe('public_host rule (decision 0014)', () => {
  it('classifies hosts as the URL parser spells them', () => {
    expect(addressClass(new URL('http://0x7f.1/').hostname)).toBe('loopback');
    expect(addressClass(new URL('http://[::ffff:127.0.0.1]/').hostname)).toBe('loopback');
    expect(addressClass('api.localhost')).toBe('loopback');
    expect(addressClass('169.254.169.254')).toBe('never');
    expect(addressClass('[fe80::1]')).toBe('never');
    expect(addressClass('0.0.0.0')).toBe('never');
    expect(addressClass('10.1.2.3')).toBe('private');
    expect(addressClass('[fd00::1]')).toBe('private');
    expect(addressClass('8.8.8.8')).toBe('public');
    expect(addressClass('us-east.hopx.dev')).toBe('public');
  });

  it('lets a public cloud use only public hosts, over http(s), without user info', () => {
    const cloud = 'https://api.hopx.dev';
    expect(refusePublicHost('https://7777-sbx.us.hopx.dev', cloud, own)).toBeNull();
    expect(refusePublicHost('http://127.0.0.1:9000/', cloud, own)).toMatch(/loopback/);
    expect(refusePublicHost('http://192.168.1.10/', cloud, own)).toMatch(/private/);
    expect(refusePublicHost('http://169.254.169.254/latest', cloud, own)).toMatch(/link-local/);
    expect(refusePublicHost('ftp://7777-sbx.us.hopx.dev', cloud, own)).toMatch(/scheme/);
    expect(refusePublicHost('javascript:alert(1)', cloud, own)).toMatch(/scheme/);
    expect(refusePublicHost('https://a:b@7777-sbx.us.hopx.dev', cloud, own)).toMatch(/user info/);
    expect(refusePublicHost('not a url', cloud, own)).toMatch(/not a URL/);
  });

  it('lets a cloud on loopback or the private network use hosts there, never the engine own ports', () => {
    expect(refusePublicHost('http://127.0.0.1:9700/', 'http://127.0.0.1:9000', own)).toBeNull();
    expect(refusePublicHost('http://127.0.0.1:7700/', 'http://127.0.0.1:9000', own)).toMatch(/own/);
    expect(refusePublicHost('http://localhost:8080/', 'http://127.0.0.1:9000', own)).toMatch(/own/);
    expect(refusePublicHost('http://10.0.0.7:7777/', 'http://10.0.0.5:7070', own)).toBeNull();
    expect(refusePublicHost('http://127.0.0.1:9700/', 'http://10.0.0.5:7070', own)).toMatch(/loopback/);
    expect(refusePublicHost('http://169.254.169.254/', 'http://127.0.0.1:9000', own)).toMatch(/link-local/);
  });
});
