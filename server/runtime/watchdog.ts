/**
 * The deadline watchdog: a small detached /bin/sh per running sandbox, outside the sandbox's
 * cgroups (so pausing the sandbox does not freeze it) and outside the engine (so it outlives a
 * crash or kill -9 of the engine). It sleeps until the epoch second in `meta/deadline` (re-read at
 * least every minute, and at once on SIGWINCH), then kills every process of the sandbox and its
 * slirp4netns. Without a deadline file it idles, so moving a deadline (a warm pool spare claimed,
 * `PUT /timeout`) is a file write and a signal, not a new process: 20 claims at once used to start
 * 20 shells. It ends when the sandbox has no process left. The engine deletes the sandbox when it
 * next sees the deadline passed (its own expiry sweep, or reconcile at start).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { overwriteSync, ownsPid, pidAlive, readState, writeState } from './sandbox-dir.ts';
import { startProcess } from './spawner.ts';
import type { CgroupMode } from './types.ts';

/** Wakes a watchdog to re-read its deadline. Ignored by default, so one not yet listening lives on. */
const WAKE = 'SIGWINCH';

// $1 deadline file, $2 cgroup mode, $3 freezer/cgroup dir, $4 cgroup.procs (empty without
// cgroups), $5 launcher pid, $6 state.json, $7 slirp4netns API socket path, $8 sandbox id (names
// this process). `read` is a builtin: an idle minute costs one `sleep` (and `date` with a deadline).
// The file is read again after the sleep started: a wake that came while it was being read is not lost.
/** The longest a watchdog sleeps before it reads its deadline file again. */
const SLEEP_MAX_S = 60;

const SCRIPT = `
F=$1; MODE=$2; CG=$3; PROCS=$4; PG=$5; ST=$6; API=$7; SP=
trap 'kill $SP 2>/dev/null' WINCH
while :; do
  if [ -n "$PROCS" ]; then { read -r x < "$PROCS"; } 2>/dev/null || exit 0
  else kill -0 "$PG" 2>/dev/null || exit 0; fi
  d=; [ -f "$F" ] && read -r d < "$F"
  case $d in *[!0-9]*) d= ;; esac
  s=${SLEEP_MAX_S}
  if [ -n "$d" ]; then
    now=$(date +%s)
    [ "$now" -ge "$d" ] && break
    s=$((d - now)); [ "$s" -gt ${SLEEP_MAX_S} ] && s=${SLEEP_MAX_S}
  fi
  sleep "$s" & SP=$!
  d2=; [ -f "$F" ] && read -r d2 < "$F"
  [ "$d2" = "$d" ] && wait $SP
  kill $SP 2>/dev/null
done
case $MODE in
  v2) echo 1 > "$CG/cgroup.kill" ;;
  v1)
    for i in 1 2 3 4 5 6 7 8 9 10; do
      echo FROZEN > "$CG/freezer.state"
      for p in $(cat "$PROCS"); do kill -9 "$p"; done
      echo THAWED > "$CG/freezer.state"
      [ -z "$(cat "$PROCS")" ] && break
      sleep 1
    done ;;
esac
kill -9 -- "-$PG" 2>/dev/null
slirp=$(sed -n 's/.*"slirpPid":\\([0-9]*\\).*/\\1/p' "$ST" 2>/dev/null)
if [ -n "$slirp" ] && tr '\\0' ' ' < "/proc/$slirp/cmdline" 2>/dev/null | grep -qF "$API"; then kill -9 "$slirp"; fi
exit 0
`;

export function deadlineFile(dir: string): string {
  return join(dir, 'meta', 'deadline');
}

/** Record the deadline (ISO time) for the watchdog, or remove it. */
export function writeDeadline(dir: string, expiresAt: string | null | undefined): boolean {
  const at = expiresAt ? Math.ceil(Date.parse(expiresAt) / 1000) : NaN;
  if (!Number.isFinite(at)) {
    rmSync(deadlineFile(dir), { force: true });
    return false;
  }
  overwriteSync(deadlineFile(dir), `${at}\n`, 0o600);
  return true;
}

export interface WatchdogTarget {
  id: string;
  dir: string;
  cgroups: CgroupMode;
  /** v1: the freezer group; v2: the sandbox's group. */
  cgroupDir: string;
  procsFile: string;
  /** The launcher's pid, which is also its process group (spawned detached). */
  pid: number;
}

export async function startWatchdog(t: WatchdogTarget): Promise<number | null> {
  const child = await startProcess({
    argv: [
      '/bin/sh',
      '-c',
      SCRIPT,
      'hopdeck-watchdog',
      deadlineFile(t.dir),
      t.cgroups,
      t.cgroupDir,
      t.procsFile,
      String(t.pid),
      join(t.dir, 'meta', 'state.json'),
      join(t.dir, 'meta', 'slirp.sock'),
      t.id,
    ],
    detached: true,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  }).catch(() => null);
  return child?.pid ?? null;
}

/** End a watchdog (its process group: the shell and its sleep), if it is still ours. */
export function stopWatchdog(pid: number | undefined, id: string): void {
  if (!pid || !pidAlive(pid) || !ownsPid(pid, id)) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/**
 * Move the sandbox's deadline (ISO time, or null for none). The file is written first; a running
 * watchdog of this sandbox is woken to re-read it (no process started, nothing else read but its
 * command line); otherwise one is started, if the sandbox runs, and its pid recorded in state.json.
 */
export async function rearmWatchdog(
  dir: string,
  id: string,
  expiresAt: string | null,
  where: () => { cgroups: CgroupMode; alive: boolean; cgroupDir: string; procsFile: string },
): Promise<void> {
  if (!existsSync(join(dir, 'meta'))) return;
  writeDeadline(dir, expiresAt);
  const before = readState(dir);
  // A watchdog re-reads the file at least every SLEEP_MAX_S: a deadline further away than that,
  // or none, reaches it in time without a signal (a wake-up costs ~1 ms of the engine's thread
  // here, 20 of them in a burst of claims).
  const due = expiresAt ? Date.parse(expiresAt) - Date.now() : Infinity;
  const current = before?.watchdogPid;
  if (running(current, id)) {
    if (due <= (SLEEP_MAX_S + 1) * 1000) wake(current);
    return;
  }
  const w = before?.pid ? where() : null;
  const watchdogPid =
    w?.alive && before?.pid ? await startWatchdog({ id, dir, pid: before.pid, ...w }) : null;
  const st = readState(dir); // read again: the boot or the network may have written meanwhile
  if (!st) return;
  const { watchdogPid: _old, ...rest } = st;
  writeState(dir, watchdogPid ? { ...rest, watchdogPid } : rest);
}

/** Is this sandbox's watchdog running? */
function running(pid: number | undefined, id: string): pid is number {
  return !!pid && pidAlive(pid) && ownsPid(pid, id);
}

/** Signal the watchdog to re-read its deadline now (it may have just exited: then nothing). */
function wake(pid: number): void {
  try {
    process.kill(pid, WAKE);
  } catch {
    /* gone */
  }
}
