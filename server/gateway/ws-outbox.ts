/**
 * Sends relayed WebSocket frames to one side with backpressure, and optionally paced.
 *
 * Pacing exists for the official SDKs: their readers attach a one-shot `message` listener, await
 * it, and only then attach the next one, so when several frames arrive in one socket read (the
 * agent writes `stderr`, `result` and `complete` in the same tick) every frame after the first is
 * dropped, and `runCodeStream` waits for a `complete` it never sees. The robust cure is
 * permessage-deflate, which the gateway accepts with threshold 0 (the SDK's ws offers it): the
 * client then inflates each frame in its own callback. For a non-browser client without it,
 * spacing the frames of a burst by a few milliseconds makes each arrive in its own read in most
 * cases. Frames that are already spaced (live output) pass at once; browsers are never paced.
 */
import WebSocket, { type RawData } from 'ws';

const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
/** Queued frames (pacing) above which the source is paused. */
const MAX_QUEUED = 256;

export class Outbox {
  #queue: [RawData, boolean][] = [];
  #timer: NodeJS.Timeout | null = null;
  #last = Number.NEGATIVE_INFINITY;
  #onFlushed: (() => void) | null = null;

  constructor(
    private readonly to: WebSocket,
    private readonly from: WebSocket,
    private readonly gapMs: number,
    /**
     * With permessage-deflate negotiated, frames below this size go uncompressed (no zlib round
     * trip through the thread pool: ~1 ms on a warm run's first output frame). Only for readers
     * that never drop frames (browsers); SDK readers need every frame compressed (see above).
     */
    private readonly compressFrom = 0,
  ) {}

  push(data: RawData, isBinary: boolean): void {
    if (this.to.readyState !== WebSocket.OPEN) return;
    const idle = this.#queue.length === 0 && this.#timer === null;
    if (this.gapMs <= 0 || (idle && performance.now() - this.#last >= this.gapMs)) {
      this.#write(data, isBinary);
      return;
    }
    this.#queue.push([data, isBinary]);
    if (this.#queue.length > MAX_QUEUED && !this.from.isPaused) this.from.pause();
    this.#schedule();
  }

  /** Run `fn` once every queued frame was handed to the socket (at once when nothing is queued). */
  whenFlushed(fn: () => void): void {
    if (this.#queue.length === 0 && this.#timer === null) fn();
    else this.#onFlushed = fn;
  }

  clear(): void {
    this.#queue = [];
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#onFlushed = null;
  }

  #write(data: RawData, isBinary: boolean): void {
    this.#last = performance.now();
    const compress = this.compressFrom <= 0 || byteLength(data) >= this.compressFrom;
    this.to.send(data, { binary: isBinary, compress }, () => this.#maybeResume());
    if (this.to.bufferedAmount > HIGH_WATER && !this.from.isPaused) this.from.pause();
  }

  #maybeResume(): void {
    if (this.from.isPaused && this.to.bufferedAmount < LOW_WATER && this.#queue.length < MAX_QUEUED / 2) {
      this.from.resume();
    }
  }

  #schedule(): void {
    if (this.#timer) return;
    const wait = Math.max(0, this.gapMs - (performance.now() - this.#last));
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const next = this.#queue.shift();
      if (next && this.to.readyState === WebSocket.OPEN) this.#write(next[0], next[1]);
      if (this.#queue.length > 0) return this.#schedule();
      this.#maybeResume();
      const done = this.#onFlushed;
      this.#onFlushed = null;
      done?.();
    }, wait);
  }
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}
