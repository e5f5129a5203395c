/**
 * The bwrap command line of a sandbox: new pid/ipc/uts/mount/net namespaces (net shared with the
 * host only in the no-slirp4netns fallback), a read-only host system with secrets masked, the
 * sandbox's own /etc/passwd and /etc/group, and nothing writable that is not capped: /workspace,
 * /home/user and /run/hopdeck on its disk image, /tmp and /dev/shm as sized tmpfs (charged to its
 * memory cgroup). The agent runs as the sandbox's uid with no capabilities.
 */
import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';

export interface BwrapPlan {
  uid: number;
  /** The mounted disk image: workspace/ and home/user/ are bound inside. */
  fsDir: string;
  /** Root-only folder on the image with agent.json, passwd, group and resolv.conf. */
  engineDir: string;
  /** The sandbox's socket folder on the image, shown as /run/hopdeck. */
  runDir: string;
  agentDir: string;
  nodePath: string;
  /** Stay in the host's network namespace (internet access without slirp4netns: the old fallback). */
  hostNetwork: boolean;
  /** bwrap writes {"child-pid": …} here (the process inside the new namespaces), or null. */
  infoFd: number | null;
  /** Show engineDir/resolv.conf (slirp4netns' DNS) at /etc/resolv.conf instead of the host's. */
  privateResolvConf: boolean;
  tmpBytes: number;
  /** Size of the /dev/shm tmpfs (POSIX shared memory, multiprocessing), charged to the memory cgroup. */
  shmBytes: number;
  seccompFd: number | null;
  /** Read-only views into the host (the sandbox's own memory cgroup). */
  roBinds: { host: string; inside: string }[];
  /** Command run inside, after the privilege drop. */
  command: string[];
}

/** Host files nobody inside may read, even if their modes were lax. */
const MASKED_FILES = [
  '/etc/shadow',
  '/etc/gshadow',
  '/etc/shadow-',
  '/etc/gshadow-',
  '/etc/sudoers',
  '/etc/security/opasswd',
  '/etc/passwd-',
  '/etc/group-',
  '/etc/subuid',
  '/etc/subgid',
];
const MASKED_DIRS = ['/etc/ssh', '/etc/sudoers.d', '/etc/ssl/private'];

export const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The host system, read-only: /usr plus the merged-/usr links (or the real dirs where not merged). */
export function systemBinds(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const name of ['bin', 'sbin', 'lib', 'lib64', 'lib32', 'libx32']) {
    const host = `/${name}`;
    if (!existsSync(host)) continue;
    if (lstatSync(host).isSymbolicLink()) args.push('--symlink', `usr/${name}`, host);
    else args.push('--ro-bind', host, host);
  }
  return args;
}

export function bwrapArgs(plan: BwrapPlan): string[] {
  const args = [
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(plan.hostNetwork ? [] : ['--unshare-net']),
    '--hostname',
    'sandbox',
    '--new-session',
    '--clearenv',
    '--setenv',
    'PATH',
    SANDBOX_PATH,
    '--setenv',
    'HOME',
    '/home/user',
    '--setenv',
    'LANG',
    'C.UTF-8',
    ...systemBinds(),
    '--ro-bind',
    '/etc',
    '/etc',
  ];
  for (const f of MASKED_FILES) if (existsSync(f)) args.push('--ro-bind', '/dev/null', f);
  for (const d of MASKED_DIRS) if (existsSync(d)) args.push('--tmpfs', d, '--remount-ro', d);
  // A host resolv.conf that is a symlink (systemd-resolved) points into /run, a tmpfs here: skip.
  if (
    plan.privateResolvConf &&
    existsSync('/etc/resolv.conf') &&
    !lstatSync('/etc/resolv.conf').isSymbolicLink()
  )
    args.push('--ro-bind', join(plan.engineDir, 'resolv.conf'), '/etc/resolv.conf');
  // The sandbox's own user database: its uid is `user` (whoami, ls -l, ~), no host accounts shown.
  args.push('--ro-bind', join(plan.engineDir, 'passwd'), '/etc/passwd');
  args.push('--ro-bind', join(plan.engineDir, 'group'), '/etc/group');
  args.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(plan.shmBytes),
    '--tmpfs',
    '/dev/shm',
    '--chmod',
    '1777',
    '/dev/shm',
    '--size',
    String(plan.tmpBytes),
    '--tmpfs',
    '/tmp',
    '--chmod',
    '1777',
    '/tmp',
    '--perms',
    '0755',
    '--dir',
    '/home',
    '--bind',
    join(plan.fsDir, 'home', 'user'),
    '/home/user',
    '--bind',
    join(plan.fsDir, 'workspace'),
    '/workspace',
    '--perms',
    '0755',
    '--tmpfs',
    '/run',
    '--bind',
    plan.runDir,
    '/run/hopdeck',
    '--ro-bind',
    join(plan.engineDir, 'agent.json'),
    '/run/hopdeck-agent.json',
    '--perms',
    '0755',
    '--dir',
    '/opt',
    '--ro-bind',
    plan.agentDir,
    '/opt/hopdeck',
  );
  // bwrap makes missing parents 0700: create them readable first.
  const made = new Set<string>();
  for (const b of plan.roBinds) {
    const parts = b.inside.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = `/${parts.slice(0, i).join('/')}`;
      if (!made.has(dir)) args.push('--perms', '0755', '--dir', dir);
      made.add(dir);
    }
    args.push('--ro-bind', b.host, b.inside);
  }
  if (!plan.nodePath.startsWith('/usr/')) {
    // A parent bwrap creates is 0700, which the sandbox's uid could not enter to run node.
    args.push('--perms', '0755', '--dir', '/opt/hopdeck-node');
    args.push('--ro-bind', plan.nodePath, '/opt/hopdeck-node/node');
  }
  if (plan.seccompFd !== null) args.push('--seccomp', String(plan.seccompFd));
  if (plan.infoFd !== null) args.push('--info-fd', String(plan.infoFd));
  args.push('--chdir', '/workspace', '--');
  // setpriv drops to the sandbox's own uid, clears groups and every capability, sets no_new_privs.
  args.push(
    '/usr/bin/setpriv',
    `--reuid=${plan.uid}`,
    `--regid=${plan.uid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
    ...plan.command,
  );
  return args;
}

export function sandboxNodePath(nodePath: string): string {
  return nodePath.startsWith('/usr/') ? nodePath : '/opt/hopdeck-node/node';
}
