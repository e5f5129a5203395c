// `npm start` checks the Node.js it runs on against package.json "engines" before anything else.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeEngines, nodeSupport, nodeSupportMessage, parseEngines } from './node-support.mjs';

const ENGINES = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines
  .node;

/** Runs server/bin/hopdeck.mjs as if on Node `version`, with no PATH (so no step could install). */
function startAs(version: string, args: string[] = []) {
  const fake = `Object.defineProperty(process,'version',{value:'v${version}'})`;
  return spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(fake)}`, 'server/bin/hopdeck.mjs', ...args],
    { encoding: 'utf8', env: { PATH: '/nonexistent' }, timeout: 60_000 },
  );
}

// The CLI runs below start a real node process each; a loaded machine needs more than 5 s.
describe('supported Node.js versions', { timeout: 60_000 }, () => {
  it('package.json claims 20, 22 and 24', () => {
    expect(parseEngines(ENGINES).map((p) => p[0])).toEqual([20, 22, 24]);
    expect(describeEngines(ENGINES)).toBe('20.19+, 22.12+ or 24');
  });

  it('accepts the claimed lines, refuses older ones and odd lines, warns on newer ones', () => {
    for (const v of ['v20.19.0', 'v20.20.2', 'v22.12.0', 'v22.23.5', 'v24.0.0', 'v24.22.3'])
      expect(nodeSupport(v, ENGINES), v).toBe('supported');
    for (const v of ['v18.20.4', 'v20.18.3', 'v21.7.3', 'v22.11.0', 'v23.11.1', 'v16.0.0'])
      expect(nodeSupport(v, ENGINES), v).toBe('unsupported');
    for (const v of ['v25.0.0', 'v26.12.1']) expect(nodeSupport(v, ENGINES), v).toBe('newer');
    expect(nodeSupportMessage(process.version, ENGINES)).toBeNull();
  });

  it('npm start on Node 18 says which versions to use and exits 1 before doing anything else', () => {
    const r = startAs('18.20.4', ['serve']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(
      'hopdeck: Node.js 18.20.4 is not supported. Hopdeck runs on Node.js 20.19+, 22.12+ or 24 ' +
        `(package.json engines: "${ENGINES}"). Install one of them (for example \`nvm install 24\`) and run it again.`,
    );
  });

  it('npm start on Node 22.3 (older than 22.12) is refused too', () => {
    const r = startAs('22.3.0');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^hopdeck: Node\.js 22\.3\.0 is not supported/);
  });

  it('npm start on a newer Node warns first and goes on', () => {
    // A bad flag: whatever the state of dist/, nothing is started for real.
    const r = startAs('26.1.0', ['serve', '--port', 'seventy']);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(
      /^hopdeck: warning: Node\.js 26\.1\.0 is newer than the versions Hopdeck is tested on/,
    );
    expect(lines.length).toBeGreaterThan(1);
  });
});
