/**
 * Gateway ports from `--agent-ports`: the first free port of the range that no live record holds
 * and that the system lets us bind (a port another program uses is skipped).
 */
export interface PortOpener {
  open(sandboxId: string, port: number): Promise<void>;
}

export class PortRangeExhaustedError extends Error {}

export class PortAllocator {
  readonly #reserved = new Set<number>();

  constructor(
    private readonly range: [number, number],
    private readonly inUse: () => Set<number>,
  ) {}

  /** Open the sandbox's gateway on a free port, trying the next one while a port is taken. */
  async openOnFreePort(sandboxId: string, opener: PortOpener): Promise<number> {
    const [lo, hi] = this.range;
    const used = this.inUse();
    for (let port = lo; port <= hi; port++) {
      if (used.has(port) || this.#reserved.has(port)) continue;
      this.#reserved.add(port);
      try {
        await opener.open(sandboxId, port);
        return port;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      } finally {
        this.#reserved.delete(port);
      }
    }
    throw new PortRangeExhaustedError(`No free gateway port in ${lo}-${hi}`);
  }
}
