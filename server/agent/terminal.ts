/**
 * WebSocket /terminal: an interactive bash on a real PTY. The PTY comes from Python's `pty`
 * module (a small relay run with /usr/bin/python3), since a native node-pty cannot be bundled into
 * the sandbox. Frames per api-digest §5.12: in `{"type":"input","data"}`,
 * `{"type":"resize","cols","rows"}`; out `{"type":"output","data"}`, then `{"type":"exit","code"}`.
 */
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { realPath } from './config.ts';
import { runEnv } from './execute.ts';
import { FINAL_GAP_MS, FramePacer } from './pacer.ts';
import { RUN_TAG } from './reaper.ts';
import { deprioritise } from './runner.ts';
import type { AgentState } from './state.ts';

/** Relay: stdin → PTY, PTY → stdout, "cols rows" lines on fd 3 → TIOCSWINSZ; exits with bash's code. */
const PTY_RELAY = `
import fcntl, os, pty, select, signal, struct, sys, termios
cols, rows = int(sys.argv[1]), int(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp("/bin/bash", ["/bin/bash", "-i"])
def resize(c, r):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", r, c, 0, 0))
resize(cols, rows)
watch = [0, fd, 3]
ctl = b""
while True:
    ready, _, _ = select.select(watch, [], [])
    if 3 in ready:
        chunk = os.read(3, 4096)
        if not chunk:
            watch.remove(3)
        ctl += chunk
        while b"\\n" in ctl:
            line, ctl = ctl.split(b"\\n", 1)
            try:
                c, r = (int(x) for x in line.split())
                resize(max(1, min(c, 1000)), max(1, min(r, 1000)))
            except ValueError:
                pass
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            break
        os.write(1, data)
    if 0 in ready:
        data = os.read(0, 65536)
        if not data:
            os.kill(pid, signal.SIGHUP)
            watch.remove(0)
        else:
            os.write(fd, data)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else 0)
`;

function dimension(value: string | null, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 && n <= 1000 ? n : fallback;
}

export function handleTerminal(ws: WebSocket, state: AgentState, url: URL): void {
  const cols = dimension(url.searchParams.get('cols'), 80);
  const rows = dimension(url.searchParams.get('rows'), 24);
  const child = spawn(state.cfg.python, ['-c', PTY_RELAY, String(cols), String(rows)], {
    cwd: realPath(state.cfg, state.cfg.workdir),
    // Tagged, so a command's timeout never takes a terminal's daemons for its own orphans.
    env: {
      ...runEnv(state, undefined),
      TERM: 'xterm-256color',
      [RUN_TAG]: `term_${process.hrtime.bigint()}`,
    },
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  deprioritise(child.pid);
  const control = child.stdio[3] as Writable | null;
  child.stdin?.on('error', () => undefined);
  control?.on('error', () => undefined);
  // PTY output is coalesced (8 ms / 64 KiB) and paced: see pacer.ts for why.
  const pacer = new FramePacer(ws);
  let pending = '';
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending) pacer.send({ type: 'output', data: pending });
    pending = '';
  };
  const finish = async (frame: unknown) => {
    flush();
    pacer.send(frame, FINAL_GAP_MS);
    await pacer.flushed();
    setTimeout(() => ws.close(1000), 100).unref();
  };
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (data: string) => {
    pending += data;
    if (pending.length >= 64 * 1024) flush();
    else timer ??= setTimeout(flush, 8);
    if (pacer.congested) {
      child.stdout?.pause();
      void pacer.drained().then(() => child.stdout?.resume());
    }
  });
  child.stderr?.on('data', (d: Buffer) => state.log(`terminal: ${d.toString().trimEnd()}`));
  child.on('error', (err) => {
    pending += `terminal unavailable: ${err.message}\r\n`;
    void finish({ type: 'exit', code: 127 });
  });
  child.on('close', (code) => void finish({ type: 'exit', code: code ?? 1 }));
  ws.on('message', (raw) => {
    let msg: { type?: unknown; data?: unknown; cols?: unknown; rows?: unknown };
    try {
      msg = JSON.parse(String(raw)) as typeof msg;
    } catch {
      return;
    }
    if (msg.type === 'input' && typeof msg.data === 'string') child.stdin?.write(msg.data);
    else if (msg.type === 'resize') {
      control?.write(`${dimension(String(msg.cols), cols)} ${dimension(String(msg.rows), rows)}\n`);
    }
  });
  ws.on('close', () => {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
}
