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
