/** The machine's available memory (MemAvailable from /proc/meminfo; `freemem()` elsewhere). */
import { freemem } from 'node:os';
import { readFileSync } from 'node:fs';

/** Read now (the bench compares before and after). */
export function readAvailableMb(): number {
  try {
    const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    /* not Linux */
  }
  return freemem() / 2 ** 20;
}

let cached = { at: 0, mb: 0 };

/** Read at most once a second (the warm pool asks at each boot's end; /proc/meminfo is not free). */
export function availableMb(): number {
  const now = Date.now();
  if (now - cached.at >= 1000) cached = { at: now, mb: readAvailableMb() };
  return cached.mb;
}
