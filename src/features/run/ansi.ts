/** ANSI colour codes → segments of plain text with Tailwind classes (parsed by anser). */
import type { CSSProperties } from 'react';
import Anser from 'anser';

const FG: Record<string, string> = {
  'ansi-black': 'text-zinc-900 dark:text-zinc-400',
  'ansi-red': 'text-red-600 dark:text-red-400',
  'ansi-green': 'text-green-700 dark:text-green-400',
  'ansi-yellow': 'text-amber-600 dark:text-yellow-300',
  'ansi-blue': 'text-blue-600 dark:text-blue-400',
  'ansi-magenta': 'text-fuchsia-600 dark:text-fuchsia-400',
  'ansi-cyan': 'text-cyan-700 dark:text-cyan-400',
  'ansi-white': 'text-zinc-500 dark:text-zinc-100',
  'ansi-bright-black': 'text-zinc-500',
  'ansi-bright-red': 'text-red-500 dark:text-red-300',
  'ansi-bright-green': 'text-green-600 dark:text-green-300',
  'ansi-bright-yellow': 'text-amber-500 dark:text-yellow-200',
  'ansi-bright-blue': 'text-blue-500 dark:text-blue-300',
  'ansi-bright-magenta': 'text-fuchsia-500 dark:text-fuchsia-300',
  'ansi-bright-cyan': 'text-cyan-600 dark:text-cyan-300',
  'ansi-bright-white': 'text-zinc-400 dark:text-white',
};

const BG: Record<string, string> = {
  'ansi-black': 'bg-zinc-900/20',
  'ansi-red': 'bg-red-500/20',
  'ansi-green': 'bg-green-500/20',
  'ansi-yellow': 'bg-yellow-500/20',
  'ansi-blue': 'bg-blue-500/20',
  'ansi-magenta': 'bg-fuchsia-500/20',
  'ansi-cyan': 'bg-cyan-500/20',
  'ansi-white': 'bg-zinc-300/30',
};

const DECORATION: Record<string, string> = {
  bold: 'font-bold',
  dim: 'opacity-70',
  italic: 'italic',
  underline: 'underline',
  strikethrough: 'line-through',
  hidden: 'invisible',
};

const RGB = /^\d{1,3}, ?\d{1,3}, ?\d{1,3}$/;

export interface AnsiSegment {
  text: string;
  className: string;
  style?: CSSProperties;
}

/** Splits ANSI-coloured text into plain segments with classes (exported for tests). */
export function ansiSegments(text: string): AnsiSegment[] {
  if (!text.includes('\u001b')) return [{ text, className: '' }];
  return Anser.ansiToJson(text, { json: true, use_classes: true, remove_empty: true }).map((e) => {
    const classes: string[] = [];
    const style: CSSProperties = {};
    if (e.fg && FG[e.fg]) classes.push(FG[e.fg] ?? '');
    else if (e.fg_truecolor && RGB.test(e.fg_truecolor)) style.color = `rgb(${e.fg_truecolor})`;
    if (e.bg && BG[e.bg]) classes.push(BG[e.bg] ?? '');
    else if (e.bg_truecolor && RGB.test(e.bg_truecolor)) style.backgroundColor = `rgb(${e.bg_truecolor})`;
    for (const d of e.decorations ?? []) if (DECORATION[d]) classes.push(DECORATION[d] ?? '');
    return { text: e.content, className: classes.join(' '), ...(Object.keys(style).length ? { style } : {}) };
  });
}
