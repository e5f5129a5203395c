import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SandboxTokens } from './tokens.ts';

const ID = 'sandbox_aaaaaaaaaaaaaaaa';
const OTHER = 'sandbox_bbbbbbbbbbbbbbbb';

describe('sandbox tokens', () => {
  const secret = randomBytes(32);

  it('accepts a token it issued for its own sandbox only, before and after a restart', async () => {
    const tokens = new SandboxTokens(secret);
    const { token } = await tokens.issue(ID);
    expect(await tokens.verify(token, ID)).toEqual({ ok: true, sandboxId: ID });
    expect(await tokens.verify(token, OTHER)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
    // A new engine with the same secret (restart) checks the signature instead of its memory.
    const restarted = new SandboxTokens(secret);
    expect(await restarted.verify(token, ID)).toEqual({ ok: true, sandboxId: ID });
    expect(await restarted.verify(token, OTHER)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
  });

  it('refuses expired, tampered and foreign-secret tokens, even ones it issued', async () => {
    const tokens = new SandboxTokens(secret);
    const old = await tokens.issue(ID, new Date(Date.now() - 48 * 3600 * 1000));
    expect(await tokens.verify(old.token, ID)).toMatchObject({ ok: false, code: 'TOKEN_EXPIRED' });

    const { token } = await tokens.issue(ID);
    const [h, p, sig] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: OTHER, sbx: OTHER })).toString('base64url')}.${sig}`;
    expect(await tokens.verify(forged, OTHER)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
    const flipped = `${h}.${p}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await tokens.verify(flipped, ID)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    expect(await tokens.verify(unsigned, ID)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });

    const elsewhere = await new SandboxTokens(randomBytes(32)).issue(ID);
    expect(await tokens.verify(elsewhere.token, ID)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
  });
});
