/**
 * A way for anything in the sandbox to write to the sandbox's own log (decision 0011): a FIFO next
 * to the agent's socket (`/run/hopdeck/log` inside a bwrap sandbox). `echo hi > /run/hopdeck/log`
 * from a command, a server or a start script lands in agent.log as `sandbox: hi`, through the
 * agent's capped logger (line length and total size bounded there).
 */
import { spawnSync } from 'node:child_process';
import { constants, lstatSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';

const MAX_PENDING = 8192;

export function openLogPipe(socketPath: string, log: (msg: string) => void): string | null {
  const path = join(dirname(socketPath), 'log');
  try {
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
    if (spawnSync('mkfifo', ['-m', '600', path]).status !== 0 || !lstatSync(path).isFIFO()) return null;
    // O_RDWR: the pipe never reaches end-of-file when a writer closes; O_NONBLOCK: a libuv pipe.
    const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    const pipe = new Socket({ fd, readable: true, writable: false });
    pipe.setEncoding('utf8');
    let pending = '';
    pipe.on('data', (chunk: string) => {
      pending += chunk;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        log(`sandbox: ${pending.slice(0, nl)}`);
        pending = pending.slice(nl + 1);
        nl = pending.indexOf('\n');
      }
      if (pending.length > MAX_PENDING) {
        log(`sandbox: ${pending}`);
        pending = '';
      }
    });
    pipe.on('error', () => undefined);
    pipe.unref();
    return path;
  } catch {
    return null;
  }
}
