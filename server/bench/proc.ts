/** Bench helpers that run a client in its own process and parse the JSON it prints. */
import { spawn } from 'node:child_process';

export function runJson<T>(file: string, args: string[], timeoutMs = 600_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
export function runClient<T>(script: string, args: string[]): Promise<T> {
  return runJson<T>(process.execPath, ['--import', 'tsx', script, ...args]);
}
