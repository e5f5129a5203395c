// `hopdeck serve` as a process, the way e2e and users start it: flags, printed sign-in details,
// a working one-time link, and a clean exit on SIGTERM.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'hopdeck-cli-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function serve(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(TSX, ['server/main.ts', 'serve', ...args], {
    env: { ...process.env, HOPDECK_WARM_POOL: '0', ...env },
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return { child, output: () => out };
}

async function waitFor(output: () => string, re: RegExp, ms = 30_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const m = re.exec(output());
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${re}:\n${output()}`);
}

const exitOf = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('hopdeck serve', () => {
  it('rejects bad flags with a message and exit code 2', () => {
    const r = spawnSync(TSX, ['server/main.ts', 'serve', '--port', 'seventy'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--port/);
    // An upstream without its key is refused at start (decision 0014).
    const up = spawnSync(TSX, ['server/main.ts', 'serve', '--upstream', 'https://api.hopx.dev'], {
      encoding: 'utf8',
      env: { ...process.env, HOPX_API_KEY: '' },
    });
    expect(up.status).toBe(2);
    expect(up.stderr).toMatch(/no API key for backend "upstream"/);
  });

  it('refuses to start without bubblewrap unless --isolation none is chosen', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'server/main.ts', 'serve', '--data-dir', tmp()],
      {
        encoding: 'utf8',
        env: { ...process.env, PATH: '/nonexistent' },
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bubblewrap \(bwrap\) is not installed/);
    expect(r.stderr).toMatch(/--isolation none/);
  });

  it('starts with --isolation none on a machine without bubblewrap, and says so', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'server/main.ts',
        'serve',
        '--isolation',
        'none',
        '--port',
        '7684',
        '--data-dir',
        tmp(),
      ],
      { env: { ...process.env, PATH: '/nonexistent', HOPDECK_WARM_POOL: '0' } },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await waitFor(() => out, /Sign in: \S+/);
      expect(out).toMatch(/NOT isolated/);
      const health = (await (await fetch('http://127.0.0.1:7684/health')).json()) as { isolation: string };
      expect(health.isolation).toBe('none');
      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('prints the address, a key shown once and a one-time sign-in link; SIGTERM exits 0', async () => {
    const dataDir = tmp();
    const port = 7690;
    const { child, output } = serve([
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--agent-ports',
      '7691-7699',
    ]);
    try {
      await waitFor(output, /Sign in: (\S+)/);
      expect(output()).toContain(`Hopdeck engine listening on http://127.0.0.1:${port}`);
      const key = (await waitFor(output, /API key \(shown once\): (\S+)/))[1] as string;
      const link = (await waitFor(output, /Sign in: (\S+)/))[1] as string;
      expect(key).toMatch(/^hopx_live_[A-Za-z0-9]{12}\./);

      const templates = await fetch(`http://127.0.0.1:${port}/v1/templates`, {
        headers: { 'x-api-key': key },
      });
      expect(templates.status).toBe(200);
      const signIn = await fetch(link, { redirect: 'manual' });
      expect(signIn.status).toBe(302);
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const session = await fetch(`http://127.0.0.1:${port}/auth/session`, { headers: { cookie } });
      expect(session.status).toBe(200);
      expect((await fetch(link, { redirect: 'manual' })).status).toBe(401);
      const frames = await fetch(`http://127.0.0.1:${port + 1}/frame.html`);
      expect(frames.status).toBe(200);

      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }

    // Second start on the same data: no new key is shown, a new sign-in link is.
    const again = serve(['--port', String(port), '--data-dir', dataDir, '--agent-ports', '7691-7699']);
    try {
      await waitFor(again.output, /Sign in: \S+/);
      expect(again.output()).not.toContain('API key (shown once)');
      again.child.kill('SIGINT');
      expect(await exitOf(again.child)).toBe(0);
    } finally {
      if (again.child.exitCode === null) again.child.kill('SIGKILL');
    }
  });

  it('seeds --api-key (stored as a hash) and still prints a sign-in link', async () => {
    const dataDir = tmp();
    const key = 'hopx_live_SEEDSEEDSEED.c2VlZGVkLWtleS1mb3ItdGVzdHM';
    const { child, output } = serve([
      '--port',
      '7688',
      '--frames-port',
      '7687',
      '--data-dir',
      dataDir,
      '--api-key',
      key,
    ]);
    try {
      await waitFor(output, /Sign in: \S+/);
      expect(output()).not.toContain(key);
      const res = await fetch('http://127.0.0.1:7688/v1/sandboxes', {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.status).toBe(200);
      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('takes its settings from the environment, as in the README (a short seeded key is warned about)', async () => {
    const dataDir = tmp();
    const { child, output } = serve([], {
      HOPDECK_PORT: '7690',
      HOPDECK_FRAMES_PORT: '7691',
      HOPDECK_DATA_DIR: dataDir,
      HOPDECK_API_KEY: 'k',
    });
    try {
      await waitFor(output, /listening on http:\/\/127\.0\.0\.1:7690/);
      expect(output()).toMatch(/seeded API key is short/);
      const ok = await fetch('http://127.0.0.1:7690/v1/templates', { headers: { 'x-api-key': 'k' } });
      expect(ok.status).toBe(200);
      const wrong = await fetch('http://127.0.0.1:7690/v1/templates', { headers: { 'x-api-key': 'kk' } });
      expect(wrong.status).toBe(401);
      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
