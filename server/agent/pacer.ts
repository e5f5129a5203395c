/**
 * Sends JSON frames on a WebSocket one at a time, a few milliseconds apart.
 *
 * Why: the official JS SDK reads frames with `ws.once('message')`, re-armed only after its
 * consumer has run; two frames that reach it in one TCP read are parsed in one go and the second
 * is dropped. Losing `complete` leaves the SDK waiting forever. The robust cure is
 * permessage-deflate (the client then inflates each frame in its own callback; the agent offers it,
 * see main.ts). For clients without it, spacing frames out (the final one more) keeps each in its
 * own read in most cases: measured here under load ~10, 5 of 150 runs still lost a data frame
 * with a 10 ms gap, none lost `complete` with a 50 ms gap; with deflate, 0 of 150 lost anything.
 */
import type { WebSocket } from 'ws';

// Clients reach the agent only through the gateway, whose `ws` reader never drops a frame and which
// does the SDK-facing compression and pacing itself (docs/decisions/0004-gateway.md). Pacing here
// only added ~75 ms to every streamed run, so the gaps are zero; the queue still gives backpressure.
export const PACE_MS = 0;
export const FINAL_GAP_MS = 0;
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

export class FramePacer {
  #queue: { text: string; gap: number }[] = [];
  #queued = 0;
  #busy = false;
  #idle: (() => void)[] = [];
  #lastSent = -Infinity;

  constructor(private readonly ws: WebSocket) {}

  /** Queue a frame; `gap` is the pause before it (the final frame gets a longer one). */
  send(frame: unknown, gap = PACE_MS): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const text = JSON.stringify(frame);
    this.#queue.push({ text, gap });
    this.#queued += text.length;
    if (!this.#busy) this.#pump();
  }

  #pump(timerFired = false): void {
    this.#busy = true;
    for (;;) {
      const next = this.#queue[0];
      if (!next) {
        this.#busy = false;
        for (const resolve of this.#idle.splice(0)) resolve();
        return;
      }
      // At least `gap` ms since the previous frame, however long ago that was. A frame that need
      // not wait goes out now, not after a timer tick (≥ 1 ms): a warm run's first output frame.
      const wait = Math.max(0, this.#lastSent + next.gap - performance.now());
      if (wait > 0 && !timerFired) {
        setTimeout(() => this.#pump(true), wait);
        return;
      }
      timerFired = false;
      this.#queue.shift();
      this.#queued -= next.text.length;
      if (this.ws.readyState === this.ws.OPEN) this.ws.send(next.text);
      this.#lastSent = performance.now();
    }
  }

  /** True while too much is waiting (queued here or buffered in the socket). */
  get congested(): boolean {
    return this.#queued + this.ws.bufferedAmount > HIGH_WATER;
  }

  drained(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.#queued + this.ws.bufferedAmount < LOW_WATER || this.ws.readyState !== this.ws.OPEN)
          resolve();
        else setTimeout(check, 10);
      };
      check();
    });
  }

  /** Resolves once every queued frame has been handed to the socket. */
  flushed(): Promise<void> {
    if (!this.#busy && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
