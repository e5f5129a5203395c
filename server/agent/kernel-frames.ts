/**
 * The Python runner's wire format (server/kernels/bridge.py): each frame is a 4-byte big-endian
 * length and that many bytes of UTF-8 JSON. The runner runs user code, which can write to the
 * socket too: frames are bounded and anything malformed is reported, never thrown at the agent.
 */

export interface RunnerEvent {
  type: string;
  id?: string | null;
  name?: string;
  text?: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  result?: boolean;
  status?: string;
  ename?: string;
  evalue?: string;
  traceback?: unknown[];
  prompt?: string;
  password?: boolean;
  pid?: number;
}

export function encodeFrame(msg: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(msg), 'utf8');
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/** Splits a byte stream into frames. `onBad` gets called once for a broken stream; then it stops. */
export class FrameDecoder {
  #chunks: Buffer[] = [];
  #size = 0;
  #broken = false;
  /** Bytes the frame being received needs in all (so that chunks are joined only once). */
  #need = 4;

  constructor(
    private readonly maxFrame: number,
    private readonly onFrame: (ev: RunnerEvent) => void,
    private readonly onBad: (why: string) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.#broken) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size >= this.#need) {
      const buf = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
      this.#chunks = [buf];
      const len = buf.readUInt32BE(0);
      if (len > this.maxFrame) return this.#fail(`frame of ${len} bytes is over the limit`);
      this.#need = 4 + len;
      if (buf.length < this.#need) return;
      this.#need = 4;
      const body = buf.subarray(4, 4 + len);
      const rest = buf.subarray(4 + len);
      this.#chunks = rest.length > 0 ? [rest] : [];
      this.#size = rest.length;
      let ev: unknown;
      try {
        ev = JSON.parse(body.toString('utf8'));
      } catch {
        return this.#fail('frame is not JSON');
      }
      if (ev === null || typeof ev !== 'object' || typeof (ev as RunnerEvent).type !== 'string')
        return this.#fail('frame is not an event object');
      this.onFrame(ev as RunnerEvent);
      if (this.#broken) return;
    }
  }

  #fail(why: string): void {
    this.#broken = true;
    this.#chunks = [];
    this.#size = 0;
    this.onBad(why);
  }
}
