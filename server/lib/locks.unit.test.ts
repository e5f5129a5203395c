import { describe, expect, it } from 'vitest';
import { KeyedLock, Semaphore } from './locks.ts';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('KeyedLock', () => {
  it('runs one task per key at a time, in order, and survives a failing task', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task =
      (name: string, fail = false) =>
      async () => {
        log.push(`start ${name}`);
        await tick();
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      lock.run('a', task('a1', true)),
      lock.run('a', task('a2')),
      lock.run('b', task('b1')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
  });
});

describe('Semaphore', () => {
  it('never lets more than the limit run, and serves waiters in order', async () => {
    const sem = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        sem
          .run(async () => {
            running++;
            peak = Math.max(peak, running);
            order.push(i);
            await tick();
            running--;
            if (i === 1) throw new Error('one fails');
          })
          .catch(() => undefined),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sem.pending).toBe(0);
  });
});
