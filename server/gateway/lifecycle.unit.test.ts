/** Gateway listeners: what the control plane's port allocator relies on. */
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { SandboxTokens } from '../auth/tokens.ts';
import { createGateway } from './index.ts';

const tokens = new SandboxTokens(randomBytes(32));
const gateway = createGateway({
  host: '127.0.0.1',
  tokens,
  lookup: () => ({ status: 'running', socketPath: '/nonexistent.sock' }),
  corsOrigins: [],
});

afterEach(() => gateway.closeAll());

describe('gateway listeners', () => {
  it('rejects a port another sandbox holds with EADDRINUSE, so the allocator can move on', async () => {
    await gateway.open('sandbox_a', 7770);
    await expect(gateway.open('sandbox_b', 7770)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(gateway.port('sandbox_b')).toBeUndefined();
    await gateway.open('sandbox_b', 7771);
    expect(gateway.port('sandbox_b')).toBe(7771);
  });

  it('keeps one listener per sandbox under concurrent open/close calls', async () => {
    await Promise.all([
      gateway.open('sandbox_c', 7772),
      gateway.open('sandbox_c', 7772),
      gateway.open('sandbox_c', 7773),
    ]);
    expect(gateway.port('sandbox_c')).toBe(7773);
    // The first port was released when the sandbox moved.
    await gateway.open('sandbox_d', 7772);
    await Promise.all([gateway.close('sandbox_c'), gateway.close('sandbox_c')]);
    expect(gateway.port('sandbox_c')).toBeUndefined();
    await gateway.open('sandbox_e', 7773);
  });

  it('serves the HopX envelope on the new port', async () => {
    await gateway.open('sandbox_f', 7774);
    const res = await fetch('http://127.0.0.1:7774/health');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('AUTHENTICATION_REQUIRED');
  });
});
