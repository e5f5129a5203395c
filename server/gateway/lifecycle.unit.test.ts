/** Gateway listeners: what the control plane's port allocator relies on. */
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { SandboxTokens } from '../auth/tokens.ts';
import { createGateway } from './index.ts';
import { freePort } from '../test/host-names.ts';

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
    const [p0, p1] = [await freePort(), await freePort()];
    await gateway.open('sandbox_a', p0);
    await expect(gateway.open('sandbox_b', p0)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(gateway.port('sandbox_b')).toBeUndefined();
    await gateway.open('sandbox_b', p1);
    expect(gateway.port('sandbox_b')).toBe(p1);
  });

  it('keeps one listener per sandbox under concurrent open/close calls', async () => {
    const [p2, p3] = [await freePort(), await freePort()];
    await Promise.all([
      gateway.open('sandbox_c', p2),
      gateway.open('sandbox_c', p2),
      gateway.open('sandbox_c', p3),
    ]);
    expect(gateway.port('sandbox_c')).toBe(p3);
    // The first port was released when the sandbox moved.
    await gateway.open('sandbox_d', p2);
    await Promise.all([gateway.close('sandbox_c'), gateway.close('sandbox_c')]);
    expect(gateway.port('sandbox_c')).toBeUndefined();
    await gateway.open('sandbox_e', p3);
  });

  it('serves the HopX envelope on the new port', async () => {
    const p4 = await freePort();
    await gateway.open('sandbox_f', p4);
    const res = await fetch(`http://127.0.0.1:${p4}/health`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('AUTHENTICATION_REQUIRED');
  });
});
