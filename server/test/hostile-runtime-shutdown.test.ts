// Ctrl-C on `npm start` signals the whole process group (tsx, like npm, passes its own copy on):
// a real `hopdeck serve` in its own process group must shut down with no warm pool spare left
// running, booting ones included, whether the signals come as one burst or a late second one
// forces the exit (issue 12, item 14).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../runtime/index.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) {
    // Whatever a failed run left behind: destroy it through a runtime, then remove the folder.
    const rt = await createRuntime({ dataDir: d, isolation: 'bwrap', agentDir: 'dist/agent' });
    const root = join(d, 'sandboxes');
    for (const id of existsSync(root) ? readdirSync(root) : []) await rt.destroy(id).catch(() => undefined);
    await rt.close();
    rmSync(d, { recursive: true, force: true });
  }
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** Processes still in a sandbox's cgroup (v1 pids hierarchy, or v2). */
function procsOf(id: string): number[] {
  for (const f of [
    `/sys/fs/cgroup/pids/hopdeck/${id}/cgroup.procs`,
    `/sys/fs/cgroup/hopdeck/${id}/cgroup.procs`,
  ]) {
    if (existsSync(f)) return readFileSync(f, 'utf8').split('\n').filter(Boolean).map(Number);
  }
  return [];
}

/** The engine's warm pool records (none while the store is not there yet). */
function poolRows(dir: string): { id: string; status: string }[] {
  try {
    const db = new Database(join(dir, 'hopdeck.db'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT id, status FROM sandboxes WHERE pool = 1').all() as {
        id: string;
        status: string;
      }[];
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}

type Rows = { id: string; status: string }[];
/** One spare ready and the next one booting. */
const oneReadyOneBooting = (rows: Rows) =>
  rows.some((r) => r.status === 'running') && rows.some((r) => r.status === 'creating');

async function serveWithSpares(
  until: (rows: Rows) => boolean = oneReadyOneBooting,
): Promise<{ child: ChildProcess; dir: string; spares: () => string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'hopdeck-shut-'));
  dirs.push(dir);
  const port = await freePort();
  const frames = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'server/main.ts',
      'serve',
      '--port',
      `${port}`,
      '--frames-port',
      `${frames}`,
      '--data-dir',
      dir,
    ],
    {
      detached: true, // its own process group, like `npm start` in a terminal
      stdio: 'ignore',
      env: { ...process.env, HOPDECK_WARM_POOL: '2', HOPDECK_AGENT_PORTS: '27100-27140' },
    },
  );
  const seen = new Set<string>();
  const spares = () => {
    for (const r of poolRows(dir)) seen.add(r.id);
    return [...seen];
  };
  // Wait until the pool is in the state the test asks for.
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error('no warm pool spare came up');
    if (until(poolRows(dir))) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  spares();
  return { child, dir, spares };
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('engine shutdown with warm pool spares', { timeout: 300_000 }, () => {
  it('one Ctrl-C (SIGINT to the whole group, and npm’s copy) exits 0 and leaves no spare running', async () => {
    const { child, dir, spares } = await serveWithSpares();
    const ids = spares();
    expect(ids.length).toBeGreaterThanOrEqual(2);
    // The terminal signals the group; npm passes its own SIGINT on a moment later.
    process.kill(-(child.pid as number), 'SIGINT');
    await new Promise((r) => setTimeout(r, 100));
    process.kill(-(child.pid as number), 'SIGINT');
    expect(await exitOf(child)).toBe(0);
    for (const id of spares()) expect(procsOf(id), id).toEqual([]);
    // Clean shutdown: the spares' folders are gone too.
    expect(readdirSync(join(dir, 'sandboxes'))).toEqual([]);
  });

  // A spare whose boot is under way when shutdown starts (its folder may not even exist yet when its
  // destroy runs) is destroyed once the boot settles: shutdown waits for that, folder included.
  it('Ctrl-C while the first spares are still booting exits 0 and leaves no spare nor folder', async () => {
    const { child, dir, spares } = await serveWithSpares((rows) => rows.some((r) => r.status === 'creating'));
    process.kill(-(child.pid as number), 'SIGINT');
    expect(await exitOf(child)).toBe(0);
    for (const id of spares()) expect(procsOf(id), id).toEqual([]);
    expect(readdirSync(join(dir, 'sandboxes'))).toEqual([]);
  });

  it('a late second SIGTERM forces the exit, and still no spare survives', async () => {
    const { child, spares } = await serveWithSpares();
    process.kill(-(child.pid as number), 'SIGTERM');
    await new Promise((r) => setTimeout(r, 2100));
    if (child.exitCode === null) {
      try {
        process.kill(-(child.pid as number), 'SIGTERM');
      } catch {
        /* it exited meanwhile */
      }
    }
    expect([0, 1]).toContain(await exitOf(child));
    for (const id of spares()) expect(procsOf(id), id).toEqual([]);
  });
});
