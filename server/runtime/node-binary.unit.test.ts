// The copy of a Node outside /usr that sandboxes run (see node-binary.ts).
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sandboxNodeBinary } from './node-binary.ts';

const root = mkdtempSync(join(tmpdir(), 'hopdeck-nodebin-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A real node binary in a 0700 folder, itself 0700. */
function privateNode(name: string): string {
  const dir = join(root, name, 'bin');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(join(root, name), 0o700);
  const file = join(dir, 'node');
  copyFileSync(process.execPath, file);
  chmodSync(file, 0o700);
  return file;
}

describe('sandboxNodeBinary', () => {
  it('uses a node under /usr where it is', () => {
    expect(sandboxNodeBinary('/data', undefined, '/usr/bin/node', join(root, 'unused'))).toBe(
      '/usr/bin/node',
    );
  });

  it('copies a private node once, 0755, and reuses the copy across engine starts', () => {
    const src = privateNode('a');
    const copies = join(root, 'copies-a');
    const first = sandboxNodeBinary('/data-1', undefined, src, copies);
    expect(first.startsWith(`${copies}/node-`)).toBe(true);
    const st = statSync(first);
    expect(st.mode & 0o7777).toBe(0o755);
    expect(st.size).toBe(statSync(src).size);
    expect(statSync(copies).mode & 0o777).toBe(0o755);
    // Another engine (data directory) with the same node: same file, not copied again.
    expect(sandboxNodeBinary('/data-2', undefined, src, copies)).toBe(first);
    expect(statSync(first).ino).toBe(st.ino);
    // A copy that vanished while the engine runs is made again.
    rmSync(first);
    expect(sandboxNodeBinary('/data-2', undefined, src, copies)).toBe(first);
    expect(statSync(first).mode & 0o7777).toBe(0o755);
  });

  it('removes copies unused for a week and keeps recent ones', () => {
    const copies = join(root, 'copies-b');
    mkdirSync(copies, { recursive: true });
    const old = join(copies, 'node-v0.0.1-1-1');
    const recent = join(copies, 'node-v0.0.2-1-1');
    for (const f of [old, recent]) writeFileSync(f, 'x');
    const weekAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    utimesSync(old, weekAgo, weekAgo);
    sandboxNodeBinary('/data-3', undefined, privateNode('b'), copies);
    expect(() => statSync(old)).toThrow();
    expect(statSync(recent).isFile()).toBe(true);
  });

  it('falls back to the original, with a log line, when no copy can be made', () => {
    const src = privateNode('c');
    const blocker = join(root, 'not-a-dir');
    writeFileSync(blocker, '');
    const logs: string[] = [];
    expect(sandboxNodeBinary('/data-4', (m) => logs.push(m), src, join(blocker, 'node'))).toBe(src);
    expect(logs.join('\n')).toMatch(/could not prepare a copy/);
  });
});
