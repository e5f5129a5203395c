/**
 * The terminals of each sandbox, kept while the person moves between tabs of the page (the shells
 * and their scrollback survive a visit to Files), ended when closed. Each holds an xterm instance
 * rendered into its own element, which the view attaches to and detaches from the page.
 */
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import type { AgentTarget } from '@/api/agent';
import { TerminalConnection } from './terminal-connection';

export interface TerminalTab {
  key: number;
  title: string;
  term: Terminal;
  fit: FitAddon;
  element: HTMLDivElement;
  conn: TerminalConnection;
  opened: boolean;
}

/** Colours with enough contrast on the dark background (WCAG AA), for the prompt and `ls`. */
const THEME = {
  background: '#0b0f17',
  foreground: '#e6e6e6',
  cursor: '#e6e6e6',
  selectionBackground: '#3a4a66',
  black: '#3b4252',
  red: '#ff7b72',
  green: '#7ee787',
  yellow: '#e3b341',
  blue: '#79c0ff',
  magenta: '#d2a8ff',
  cyan: '#76e3ea',
  white: '#e6e6e6',
  brightBlack: '#9aa4b2',
  brightRed: '#ffa198',
  brightGreen: '#aff5b4',
  brightYellow: '#f8e3a1',
  brightBlue: '#a5d6ff',
  brightMagenta: '#e2c5ff',
  brightCyan: '#b3f0ff',
  brightWhite: '#ffffff',
};

const bySandbox = new Map<string, TerminalTab[]>();
const listeners = new Set<() => void>();
let nextKey = 1;
const notify = () => listeners.forEach((l) => l());

export function subscribeTabs(listener: () => void) {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

const EMPTY: TerminalTab[] = [];
export function getTabs(sandboxId: string): TerminalTab[] {
  return bySandbox.get(sandboxId) ?? EMPTY;
}

export async function copySelection(term: Terminal): Promise<boolean> {
  const text = term.getSelection();
  if (!text) return false;
  await navigator.clipboard?.writeText(text).catch(() => undefined);
  return true;
}

export function openTab(sandboxId: string, target: AgentTarget): TerminalTab {
  const tabs = getTabs(sandboxId);
  const n = tabs.reduce((m, t) => Math.max(m, Number(t.title.split(' ')[1]) || 0), 0) + 1;
  const term = new Terminal({
    cursorBlink: true,
    fontSize: 13,
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    scrollback: 5000,
    theme: THEME,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.loadAddon(new WebLinksAddon());
  const dim = (text: string) => term.write(`\r\n\x1b[90m[${text}]\x1b[0m\r\n`);
  const conn = new TerminalConnection(target, { output: (d) => term.write(d), notice: dim });
  term.onData((d) => conn.send(d));
  term.onResize(({ cols, rows }) => conn.resize(cols, rows));
  // Ctrl+C copies when text is selected (otherwise it interrupts, as in any terminal);
  // Ctrl+Shift+C copies; Ctrl+Shift+V / Ctrl+V are left to the browser's paste, which xterm reads.
  term.attachCustomKeyEventHandler((e) => {
    if (e.type !== 'keydown') return true;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === 'c' && (e.shiftKey || term.hasSelection())) {
      void copySelection(term).then(() => term.clearSelection());
      e.preventDefault();
      return false;
    }
    if (mod && e.key.toLowerCase() === 'v') return false;
    return true;
  });
  const element = document.createElement('div');
  element.className = 'h-full w-full';
  const tab: TerminalTab = {
    key: nextKey++,
    title: `Terminal ${n}`,
    term,
    fit,
    element,
    conn,
    opened: false,
  };
  bySandbox.set(sandboxId, [...tabs, tab]);
  notify();
  return tab;
}

/** Puts the tab's terminal into `host` (opening xterm the first time); returns the undo. */
export function attachTab(tab: TerminalTab, host: HTMLElement): () => void {
  host.appendChild(tab.element);
  if (!tab.opened) {
    tab.term.open(tab.element);
    tab.term.textarea?.setAttribute('aria-label', `${tab.title} input`);
    tab.opened = true;
  }
  return () => tab.element.remove();
}

export function closeTab(sandboxId: string, key: number) {
  const tabs = getTabs(sandboxId);
  const tab = tabs.find((t) => t.key === key);
  if (!tab) return;
  tab.conn.dispose();
  tab.term.dispose();
  tab.element.remove();
  const rest = tabs.filter((t) => t !== tab);
  if (rest.length) bySandbox.set(sandboxId, rest);
  else bySandbox.delete(sandboxId);
  notify();
}
