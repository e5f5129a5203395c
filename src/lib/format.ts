/** Formatting helpers shared by every page. Pure functions; `now` is injectable for tests. */

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** "3 minutes ago", "in 2 hours", "now". */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const diff = Math.round((t - now) / 1000);
  const abs = Math.abs(diff);
  if (abs < 5) return 'just now';
  for (const [unit, secs] of UNITS) {
    if (abs >= secs || unit === 'second') return rtf.format(Math.trunc(diff / secs), unit);
  }
  return '—';
}

/** Exact local date and time, for hover titles: "2026-11-26 07:35:12 UTC+1". */
export function formatExact(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'long' });
}

/**
 * Time left until `expiresAt`, for a live countdown: "1h 02m", "4m 05s", "12s", "expired",
 * or "no limit" when the sandbox never expires.
 */
export function formatCountdown(expiresAt: string | null | undefined, now: number = Date.now()): string {
  if (!expiresAt) return 'no limit';
  const t = Date.parse(expiresAt);
  if (Number.isNaN(t)) return '—';
  const left = Math.floor((t - now) / 1000);
  if (left <= 0) return 'expired';
  const d = Math.floor(left / 86400);
  const h = Math.floor((left % 86400) / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d}d ${pad(h)}h`;
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

/** Seconds left until `expiresAt` (negative once past), or null when it never expires. */
export function secondsLeft(expiresAt: string | null | undefined, now: number = Date.now()): number | null {
  if (!expiresAt) return null;
  const t = Date.parse(expiresAt);
  return Number.isNaN(t) ? null : Math.floor((t - now) / 1000);
}

export function formatMemory(mb: number): string {
  return mb >= 1024 ? `${+(mb / 1024).toFixed(1)} GB` : `${mb} MB`;
}

/** "2 vCPU · 4 GB RAM · 10 GB disk". */
export function formatResources(r: { vcpu: number; memory_mb: number; disk_mb?: number; disk_gb?: number }) {
  const disk = r.disk_gb !== undefined ? `${r.disk_gb} GB` : formatMemory(r.disk_mb ?? 0);
  return `${r.vcpu} vCPU · ${formatMemory(r.memory_mb)} RAM · ${disk} disk`;
}

/** "2 vCPU · 4 GB · 10 GB" (RAM, then disk), for table cells. */
export function formatResourcesShort(r: { vcpu: number; memory_mb: number; disk_mb: number }) {
  return `${r.vcpu} vCPU · ${formatMemory(r.memory_mb)} · ${formatMemory(r.disk_mb)}`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return 'no limit';
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** Shows the start and end of a secret so it can be told apart, never the whole of it. */
export function maskSecret(secret: string, keep = 6): string {
  if (secret.length <= keep * 2) return '•'.repeat(secret.length);
  return `${secret.slice(0, keep)}…${secret.slice(-4)}`;
}
