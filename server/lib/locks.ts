/** Small concurrency primitives shared by the control plane and the gateway. */

/**
 * Serialises operations per key (one lifecycle change of a sandbox at a time, one open/close of a
 * gateway port at a time). An operation runs after the previous one for its key settled, whether
 * it failed or not; the key is forgotten once nothing is queued.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }

  /** Keys with an operation running or queued. */
  keys(): string[] {
    return [...this.#tails.keys()];
  }
}

/** At most `limit` holders at once; the rest wait in arrival order (sandbox boots share the CPU). */
export class Semaphore {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active++;
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }

  get pending(): number {
    return this.#waiting.length;
  }
}
