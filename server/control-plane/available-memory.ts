/** The machine's available memory (MemAvailable), read at most once a second: /proc/meminfo is not free. */
import { freemem } from 'node:os';
import { readFileSync } from 'node:fs';

let cached = { at: 0, mb: 0 };

export function availableMb(): number {
  const now = Date.now();
  if (now - cached.at < 1000) return cached.mb;
  let mb = freemem() / 2 ** 20;
  try {
    const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) mb = Number(m[1]) / 1024;
  } catch {
    /* not Linux: freemem() */
  }
  cached = { at: now, mb };
  return mb;
}
