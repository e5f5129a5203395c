/**
 * The Monaco editor of the run pane. This module is the lazy chunk: the pane imports it with
 * React.lazy, so Monaco loads only when the run tab opens.
 */
import { useEffect, useRef } from 'react';
import Editor, { type OnMount } from '@monaco-editor/react';
import { MONACO_LANGUAGE, monaco } from '@/lib/monaco';
import type { Language } from '@/api/schemas';
import { useTheme } from '@/lib/theme';

export interface CodeEditorProps {
  value: string;
  language: Language;
  onChange: (code: string) => void;
  /** Ctrl/Cmd+Enter. */
  onRun: () => void;
}

export default function CodeEditor({ value, language, onChange, onRun }: CodeEditorProps) {
  const { resolvedTheme } = useTheme();
  // The keybinding is registered once; it must call the latest onRun.
  const runRef = useRef(onRun);
  useEffect(() => {
    runRef.current = onRun;
  }, [onRun]);

  const onMount: OnMount = (editor) => {
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => runRef.current());
    editor.focus();
  };

  return (
    <div className="h-full min-h-0" data-testid="code-editor">
      <Editor
        value={value}
        language={MONACO_LANGUAGE[language]}
        theme={resolvedTheme === 'dark' ? 'vs-dark' : 'vs'}
        onChange={(v) => onChange(v ?? '')}
        onMount={onMount}
        loading={<div className="p-3 text-sm text-muted-foreground">Loading editor…</div>}
        options={{
          minimap: { enabled: false },
          fontSize: 13,
          scrollBeyondLastLine: false,
          automaticLayout: true,
          tabSize: language === 'python' ? 4 : 2,
          ariaLabel: 'Code editor',
          padding: { top: 8 },
        }}
      />
    </div>
  );
}
