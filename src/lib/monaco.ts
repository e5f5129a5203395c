/**
 * Monaco, bundled from the local `monaco-editor` package (never a CDN): the editor API, a handful of
 * editor features, and only the python/javascript/shell languages, with the editor worker built by
 * Vite (`?worker`). Import this module only from lazily loaded code: it is the heavy chunk.
 */
import { loader } from '@monaco-editor/react';
import * as monaco from 'monaco-editor/editor/editor.api';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import 'monaco-editor/editor/browser/coreCommands';
import 'monaco-editor/features/codicon/register';
import 'monaco-editor/features/bracketMatching/register';
import 'monaco-editor/features/clipboard/register';
import 'monaco-editor/features/comment/register';
import 'monaco-editor/features/contextmenu/register';
import 'monaco-editor/features/cursorUndo/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/folding/register';
import 'monaco-editor/features/indentation/register';
import 'monaco-editor/features/linesOperations/register';
import 'monaco-editor/features/multicursor/register';
import 'monaco-editor/features/suggest/register';
// Ctrl+M (Ctrl+Shift+M on macOS): Tab moves focus instead of indenting, the keyboard way out.
import 'monaco-editor/features/toggleTabFocusMode/register';
import 'monaco-editor/features/wordHighlighter/register';
import 'monaco-editor/features/wordOperations/register';
import 'monaco-editor/languages/definitions/python/register';
import 'monaco-editor/languages/definitions/javascript/register';
import 'monaco-editor/languages/definitions/shell/register';

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

// Every language here is tokenised on the main thread; the editor worker (diffs, word completion)
// is the only one Monaco needs.
self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

loader.config({ monaco: monaco as unknown as Parameters<typeof loader.config>[0]['monaco'] });

/** Monaco's language id for each runtime the engine ships. */
export const MONACO_LANGUAGE = { python: 'python', javascript: 'javascript', bash: 'shell' } as const;

export { monaco };
