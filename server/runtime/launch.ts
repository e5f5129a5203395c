/**
 * How a sandbox is launched, as a typed plan per isolation mode: the agent's config, the files
 * the engine writes for it, and the command (with the extra file descriptors) that the cgroup-join
 * launcher execs. `LocalRuntime` only spawns the plan and waits for the agent.
 */
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from '../agent/config.ts';
import { bwrapArgs, sandboxNodePath } from './bwrap.ts';
import { SANDBOX_MARKER, type SandboxLayout } from './sandbox-dir.ts';
import type { IsolationMode, SandboxSpec } from './types.ts';

const HOST_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export interface LaunchInput {
  spec: SandboxSpec;
  isolation: IsolationMode;
  uid: number;
  layout: SandboxLayout;
  /** The sandbox's files: the mounted image (bwrap) or a plain folder (none). */
  fsDir: string;
  agentDir: string;
  /** Host path of the Node binary bound into the sandbox (see node-binary.ts). */
  nodePath: string;
  outputCapBytes: number;
  /** Own network namespace with slirp4netns (bwrap with internet access and slirp4netns present). */
  privateNet: boolean;
  seccompFile: string | null;
  /** Read-only views into the host (the sandbox's own memory cgroup). */
  roBinds: { host: string; inside: string }[];
}

export interface LaunchPlan {
  agentConfig: AgentConfig;
  /** argv exec'd by the launcher once it joined the cgroups. */
  command: string[];
  env: Record<string, string>;
  /** Files opened read-only for the child, at fd 3, 4, … in this order. */
  files: string[];
  /** The fd (after `files`) of the pipe bwrap writes its child pid to, or null. */
  infoFd: number | null;
}

export function launchPlan(input: LaunchInput): LaunchPlan {
  return input.isolation === 'bwrap' ? bwrapPlan(input) : plainPlan(input);
}

function agentConfig(input: LaunchInput, inside: boolean): AgentConfig {
  const { spec, layout, fsDir, agentDir } = input;
  return {
    socketPath: inside ? '/run/hopdeck/agent.sock' : layout.innerSocket,
    fsRoot: inside ? '/' : fsDir,
    python: '/usr/bin/python3',
    bridgePath: inside ? '/opt/hopdeck/bridge.py' : join(agentDir, 'bridge.py'),
    warmPython: spec.warmPython,
    outputCapBytes: input.outputCapBytes,
    env: spec.env,
    sandboxId: spec.id,
    workdir: '/workspace',
    resources: spec.resources,
  };
}

function plainPlan(input: LaunchInput): LaunchPlan {
  const cfg = agentConfig(input, false);
  const configFile = join(input.layout.engineDir, 'agent.json');
  writeFileSync(configFile, JSON.stringify(cfg), { mode: 0o644 });
  return {
    agentConfig: cfg,
    command: [input.nodePath, join(input.agentDir, 'agent.mjs'), '--config', configFile],
    env: { PATH: HOST_PATH, HOME: join(input.fsDir, 'home', 'user'), [SANDBOX_MARKER]: input.spec.id },
    files: [],
    infoFd: null,
  };
}

/**
 * The engine's files for one boot, on the image (root-only `.hd/`, rewritten in place so a full
 * disk cannot stop a reboot): the agent config, an /etc/passwd and /etc/group naming the
 * sandbox's uid `user` (home /home/user, as in HopX), and slirp4netns' resolv.conf.
 */
function writeEngineFiles(input: LaunchInput, cfg: AgentConfig): void {
  const { engineDir, runDir } = input.layout;
  if (!existsSync(engineDir)) mkdirSync(engineDir, { mode: 0o700 });
  if (!existsSync(runDir)) {
    mkdirSync(runDir, { mode: 0o755 });
    chownSync(runDir, input.uid, input.uid);
  }
  const uid = input.uid;
  const files: Record<string, string> = {
    'agent.json': JSON.stringify(cfg),
    passwd:
      'root:x:0:0:root:/root:/usr/sbin/nologin\n' +
      `user:x:${uid}:${uid}:user:/home/user:/bin/bash\n` +
      'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
    group: `root:x:0:\nuser:x:${uid}:\nnogroup:x:65534:\n`,
    'resolv.conf': 'nameserver 10.0.2.3\n',
  };
  for (const [name, text] of Object.entries(files))
    writeFileSync(join(engineDir, name), text, { mode: 0o644 });
}

function bwrapPlan(input: LaunchInput): LaunchPlan {
  const { spec, layout } = input;
  const cfg = agentConfig(input, true);
  writeEngineFiles(input, cfg);
  const files = [join(layout.dir, 'meta', 'bwrap.args')];
  if (input.seccompFile) files.push(input.seccompFile);
  const seccompFd = input.seccompFile ? 4 : null;
  const infoFd = input.privateNet ? 3 + files.length : null;
  const args = bwrapArgs({
    uid: input.uid,
    fsDir: input.fsDir,
    engineDir: layout.engineDir,
    runDir: layout.runDir,
    agentDir: input.agentDir,
    nodePath: input.nodePath,
    hostNetwork: spec.internetAccess && !input.privateNet,
    infoFd,
    privateResolvConf: input.privateNet,
    tmpBytes: Math.max(64, Math.min(1024, Math.floor(spec.resources.memory_mb / 2))) * 1024 * 1024,
    shmBytes: Math.max(16, Math.min(256, Math.floor(spec.resources.memory_mb / 4))) * 1024 * 1024,
    seccompFd,
    roBinds: input.roBinds,
    command: [
      sandboxNodePath(input.nodePath),
      '/opt/hopdeck/agent.mjs',
      '--config',
      '/run/hopdeck-agent.json',
    ],
  });
  // bwrap reads its options from a file (`--args 3`): /proc/1/cmdline inside the sandbox is
  // "bwrap --args 3 -- setpriv … node /opt/hopdeck/agent.mjs …" and shows no host path.
  const split = args.indexOf('--');
  writeFileSync(files[0]!, `${args.slice(0, split).join('\0')}\0`, { mode: 0o600 });
  return {
    agentConfig: cfg,
    command: ['bwrap', '--args', '3', ...args.slice(split)],
    env: { PATH: HOST_PATH, [SANDBOX_MARKER]: spec.id },
    files,
    infoFd,
  };
}
