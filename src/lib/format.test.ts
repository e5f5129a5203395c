import { describe, expect, it } from 'vitest';
import {
  formatCountdown,
  formatDuration,
  formatRelative,
  formatResources,
  maskSecret,
  secondsLeft,
} from './format';

const now = Date.parse('2026-11-26T07:00:00Z');

describe('formatCountdown', () => {
  it('counts down in the two largest units', () => {
    expect(formatCountdown('2026-11-26T07:00:12Z', now)).toBe('12s');
    expect(formatCountdown('2026-11-26T07:04:05Z', now)).toBe('4m 05s');
    expect(formatCountdown('2026-11-26T08:02:59Z', now)).toBe('1h 02m');
    expect(formatCountdown('2026-11-28T10:00:00Z', now)).toBe('2d 03h');
  });

  it('says when there is no limit, when it has expired, and when the date is bad', () => {
    expect(formatCountdown(null, now)).toBe('no limit');
    expect(formatCountdown('2026-11-26T06:59:59Z', now)).toBe('expired');
    expect(formatCountdown('2026-11-26T07:00:00Z', now)).toBe('expired');
    expect(formatCountdown('not a date', now)).toBe('—');
  });

  it('secondsLeft goes negative once past', () => {
    expect(secondsLeft('2026-11-26T07:01:00Z', now)).toBe(60);
    expect(secondsLeft('2026-11-26T06:59:00Z', now)).toBe(-60);
    expect(secondsLeft(null, now)).toBeNull();
  });
});

describe('other formats', () => {
  it('relative times', () => {
    expect(formatRelative('2026-11-26T06:57:00Z', now)).toBe('3 minutes ago');
    expect(formatRelative('2026-11-26T07:00:02Z', now)).toBe('just now');
    expect(formatRelative('2026-11-26T09:00:00Z', now)).toBe('in 2 hours');
    expect(formatRelative(null, now)).toBe('—');
  });

  it('resources of sandboxes (disk_mb) and templates (disk_gb)', () => {
    expect(formatResources({ vcpu: 2, memory_mb: 4096, disk_mb: 10240 })).toBe(
      '2 vCPU · 4 GB RAM · 10 GB disk',
    );
    expect(formatResources({ vcpu: 1, memory_mb: 512, disk_gb: 2 })).toBe('1 vCPU · 512 MB RAM · 2 GB disk');
  });

  it('durations and masked secrets', () => {
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(null)).toBe('no limit');
    const token = 'eyJhbGciOiJIUzI1NiJ9.payload.signature1234';
    const masked = maskSecret(token);
    expect(masked).not.toContain('payload');
    expect(masked.startsWith('eyJhbG')).toBe(true);
    expect(masked.endsWith('1234')).toBe(true);
  });
});
