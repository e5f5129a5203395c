/** Bench helpers that run a client in its own process and parse the JSON it prints. */
import { spawn } from 'node:child_process';
import { atSandboxNice } from '../runtime/priority.ts';

export function runJson<T>(file: string, args: string[], input?: string, timeoutMs = 600_000): Promise<T> {
  return new Promise((resolve, reject) => {
    // Clients run at the priority the bench started with, not the engine's (runtime/priority.ts).
    const [cmd, argv] = atSandboxNice(file, args);
    const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(input ?? '');
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(kill);
      if (code !== 0) return reject(new Error(`${args[0] ?? file} exited with ${code}: ${err.trim()}`));
      try {
        resolve(JSON.parse(out) as T);
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

/** A TypeScript bench client under tsx. */
export function runClient<T>(script: string, args: string[], input?: string): Promise<T> {
  return runJson<T>(process.execPath, ['--import', 'tsx', script, ...args], input);
}

/**
 * A TypeScript bench client that runs alongside a measurement: started and waited for until it
 * writes "ready" to stderr; `stop()` ends its stdin and resolves with the JSON it prints.
 */
export async function startClient<T>(
  script: string,
  args: string[],
  opts: { enginePriority?: boolean } = {},
): Promise<{ stop: () => Promise<T> }> {
  const node: [string, string[]] = [process.execPath, ['--import', 'tsx', script, ...args]];
  // At the engine's priority it stands for a client elsewhere, which this machine's sandboxes do
  // not slow down; otherwise it runs where the sandboxes run.
  const [cmd, argv] = opts.enginePriority ? node : atSandboxNice(...node);
  const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const closed = new Promise<T>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}: ${err.trim()}`));
      try {
        resolve(JSON.parse(out) as T);
      } catch (e) {
        reject(e as Error);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not get ready`)), 60_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err = (err + d).slice(-2000);
      if (err.includes('ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    closed.catch((e: unknown) => {
      clearTimeout(timer);
      reject(e as Error);
    });
  });
  return {
    stop: () => {
      child.stdin.end();
      return closed;
    },
  };
}
