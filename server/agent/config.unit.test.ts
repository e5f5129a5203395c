// The agent's config file (written by the runtime, server/runtime/launch.ts) is checked field by
// field: a bad one stops the agent with a message naming the field, never a silent default.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfigFile, type AgentConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'agent-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good: AgentConfig = {
  socketPath: '/run/hopdeck/agent.sock',
  fsRoot: '/',
  python: '/usr/bin/python3',
  bridgePath: '/opt/hopdeck/bridge.py',
  warmPython: true,
  outputCapBytes: 1048576,
  env: { FOO: 'bar', 'BAD\0NAME': 'x' },
  sandboxId: 'sandbox_abc',
  workdir: '/workspace',
  resources: { vcpu: 2, memory_mb: 2048, disk_mb: 10240 },
};

function configFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('agent config file', () => {
  it('loads what the runtime writes, dropping env entries no process could receive', () => {
    const cfg = loadConfig(['--config', configFile('good.json', good)], {});
    expect(cfg).toEqual({ ...good, env: { FOO: 'bar' } });
  });

  it('names the bad field when a value has the wrong type', () => {
    const file = configFile('bad-type.json', { ...good, resources: { ...good.resources, vcpu: 'two' } });
    expect(() => loadConfig(['--config', file], {})).toThrow(/invalid field resources\.vcpu/);
    expect(() => parseConfigFile(JSON.stringify({ warmPython: 'yes' }), 'x.json')).toThrow(
      /x\.json: invalid field warmPython/,
    );
    expect(() => parseConfigFile(JSON.stringify({ env: { A: 1 } }), 'x.json')).toThrow(
      /invalid field env\.A/,
    );
  });

  it('refuses unknown fields (a typo or a runtime the agent does not match)', () => {
    expect(() => parseConfigFile(JSON.stringify({ ...good, socketPth: '/x' }), 'y.json')).toThrow(
      /invalid field socketPth/,
    );
  });

  it('says when the file is not JSON or not an object', () => {
    expect(() => loadConfig(['--config', configFile('broken.json', '{"socketPath": ')], {})).toThrow(
      /is not valid JSON/,
    );
    expect(() => parseConfigFile('[1, 2]', 'z.json')).toThrow(/z\.json: invalid field \(top level\)/);
  });

  it('lets flags stand in for a partial file, as a bare agent uses it', () => {
    const file = configFile('partial.json', { sandboxId: 'sandbox_p' });
    const cfg = loadConfig(['--config', file, '--socket', '/tmp/a.sock', '--warm-python'], {});
    expect(cfg).toMatchObject({ socketPath: '/tmp/a.sock', sandboxId: 'sandbox_p', warmPython: true });
  });
});
