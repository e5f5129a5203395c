/**
 * The sandbox's seccomp denylist, compiled once per engine start with Debian's python3-seccomp
 * (libseccomp) into a BPF file that bwrap loads with `--seccomp FD`. Denied calls fail with EPERM;
 * clone3 fails with ENOSYS so libc falls back to clone, whose namespace flags can be inspected.
 */
import { execFileSync } from 'node:child_process';

export const DENIED_SYSCALLS = [
  'ptrace',
  'bpf',
  'keyctl',
  'add_key',
  'request_key',
  'perf_event_open',
  'userfaultfd',
  'mount',
  'umount2',
  'fsopen',
  'fsmount',
  'move_mount',
  'open_tree',
  'pivot_root',
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'delete_module',
  'reboot',
  'swapon',
  'swapoff',
  'setns',
  'unshare',
  'open_by_handle_at',
  'process_vm_readv',
  'process_vm_writev',
] as const;

const SCRIPT = `
import errno, sys, seccomp
f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
for name in sys.argv[2].split(","):
    try:
        f.add_rule(seccomp.ERRNO(errno.EPERM), name)
    except Exception as exc:
        print("seccomp: skipping %s: %s" % (name, exc), file=sys.stderr)
f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
# clone with CLONE_NEWUSER (0x10000000): no user namespaces inside (what --disable-userns does).
f.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, 0x10000000, 0x10000000))
with open(sys.argv[1], "wb") as out:
    f.export_bpf(out)
`;

/** Write the BPF program to `file`; returns false (and the reason) when libseccomp is missing. */
export function compileSeccomp(
  file: string,
  python = '/usr/bin/python3',
): { ok: true } | { ok: false; reason: string } {
  try {
    execFileSync(python, ['-c', SCRIPT, file, DENIED_SYSCALLS.join(',')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 20_000,
    });
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
