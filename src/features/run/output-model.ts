/**
 * The output of one run as the pane shows it: an ordered list of immutable items, with a UI cap on
 * characters, lines and rich outputs (the agent caps too; this keeps the page responsive whatever a
 * sandbox sends).
 */
import type { RichOutput } from '@contract/schemas';

export const UI_CAP_CHARS = 256 * 1024;
export const UI_CAP_LINES = 5_000;
export const UI_CAP_RICH = 50;
/** A single frame larger than this is dropped unread (the agent never sends such frames). */
export const MAX_FRAME_CHARS = 4 * 1024 * 1024;

export type StreamKind = 'stdout' | 'stderr';

export type OutputItem =
  | { id: number; kind: StreamKind; text: string }
  | { id: number; kind: 'rich'; output: RichOutput }
  | { id: number; kind: 'error'; code: string; message: string }
  /** A calm line from the pane itself (e.g. the run was interrupted), not from the program. */
  | { id: number; kind: 'notice'; text: string };

export type PendingOp =
  | { kind: StreamKind; text: string }
  | { kind: 'rich'; output: RichOutput }
  | { kind: 'error'; code: string; message: string }
  | { kind: 'notice'; text: string };

/** Counters of what a run has accepted so far, used to apply the caps as data arrives. */
export interface Budget {
  chars: number;
  lines: number;
  rich: number;
  truncated: boolean;
}

export const emptyBudget = (): Budget => ({ chars: 0, lines: 0, rich: 0, truncated: false });

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Index just after the `n`-th newline of text, or -1 when it has fewer. */
function afterNthNewline(text: string, n: number): number {
  let i = -1;
  for (let k = 0; k < n; k++) {
    i = text.indexOf('\n', i + 1);
    if (i === -1) return -1;
  }
  return i + 1;
}

/**
 * Applies the caps to a piece of stream text: returns what may be shown (possibly cut) and updates the
 * budget. Once truncated, nothing more is accepted.
 */
export function admitText(budget: Budget, text: string): string {
  if (budget.truncated || text.length === 0) return '';
  let out = text;
  const roomChars = UI_CAP_CHARS - budget.chars;
  if (out.length > roomChars) {
    out = out.slice(0, Math.max(0, roomChars));
    budget.truncated = true;
  }
  const roomLines = UI_CAP_LINES - budget.lines;
  const lines = countNewlines(out);
  if (lines > roomLines) {
    const cut = afterNthNewline(out, roomLines);
    out = cut === -1 ? out : out.slice(0, cut);
    budget.truncated = true;
  }
  budget.chars += out.length;
  budget.lines += Math.min(lines, roomLines);
  return out;
}

export function admitRich(budget: Budget): boolean {
  if (budget.truncated || budget.rich >= UI_CAP_RICH) {
    budget.truncated = true;
    return false;
  }
  budget.rich++;
  return true;
}

/**
 * Appends queued operations to the items, merging consecutive text of the same stream within one
 * batch (items already rendered are never changed, so their components can stay memoised).
 */
export function appendOps(
  items: readonly OutputItem[],
  ops: readonly PendingOp[],
  nextId: () => number,
): OutputItem[] {
  const out = items.slice();
  let open: { kind: StreamKind; parts: string[] } | null = null;
  const close = () => {
    if (open) out.push({ id: nextId(), kind: open.kind, text: open.parts.join('') });
    open = null;
  };
  for (const op of ops) {
    if (op.kind === 'stdout' || op.kind === 'stderr') {
      if (open && open.kind === op.kind) open.parts.push(op.text);
      else {
        close();
        open = { kind: op.kind, parts: [op.text] };
      }
      continue;
    }
    close();
    out.push({ ...op, id: nextId() });
  }
  close();
  return out;
}
