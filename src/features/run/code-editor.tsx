/**
 * The Monaco editor of the run pane. This module is the lazy chunk: the pane imports it with
 * React.lazy, so Monaco loads only when the run tab opens.
 */
import { memo, useEffect, useRef } from 'react';
import Editor, { type OnMount } from '@monaco-editor/react';
import type { editor as MonacoEditor } from 'monaco-editor/editor/editor.api';
import { MONACO_LANGUAGE, monaco } from '@/lib/monaco';
import type { Language } from '@contract/schemas';
import { useTheme } from '@/lib/theme';

export interface CodeEditorProps {
  value: string;
  language: Language;
  onChange: (code: string) => void;
  /** Ctrl/Cmd+Enter, with the editor's current text (React state may lag a keystroke behind). */
  onRun: (code: string) => void;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const LEAVE_HINT = `Tab indents · ${isMac ? 'Ctrl+Shift+M' : 'Ctrl+M'} then Tab leaves the editor`;

function CodeEditor({ value, language, onChange, onRun }: CodeEditorProps) {
  const { resolvedTheme } = useTheme();
  // The keybinding is registered once; it must call the latest onRun.
  const runRef = useRef(onRun);
  useEffect(() => {
    runRef.current = onRun;
  }, [onRun]);

  // Uncontrolled: the model is the source of truth while typing (pushing every keystroke back as a
  // `value` prop loses characters); only changes from outside (history "Open") are applied.
  const editorRef = useRef<MonacoEditor.IStandaloneCodeEditor | null>(null);
  const emitted = useRef(value);
  useEffect(() => {
    const ed = editorRef.current;
    if (!ed || value === emitted.current || value === ed.getValue()) return;
    emitted.current = value;
    const model = ed.getModel();
    if (!model) return;
    ed.pushUndoStop();
    ed.executeEdits('hopdeck', [{ range: model.getFullModelRange(), text: value }]);
    ed.pushUndoStop();
  }, [value]);

  const onMount: OnMount = (editor) => {
    editorRef.current = editor as unknown as MonacoEditor.IStandaloneCodeEditor;
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => runRef.current(editor.getValue()));
    editor.focus();
  };

  return (
    <div className="group relative h-full min-h-0" data-testid="code-editor">
      <Editor
        defaultValue={value}
        language={MONACO_LANGUAGE[language]}
        theme={resolvedTheme === 'dark' ? 'vs-dark' : 'vs'}
        onChange={(v) => {
          emitted.current = v ?? '';
          onChange(v ?? '');
        }}
        onMount={onMount}
        loading={<div className="p-3 text-sm text-muted-foreground">Loading editor…</div>}
        options={{
          minimap: { enabled: false },
          fontSize: 13,
          scrollBeyondLastLine: false,
          automaticLayout: true,
          tabSize: language === 'python' ? 4 : 2,
          ariaLabel: `Code editor. ${LEAVE_HINT}`,
          // The classic textarea input: the experimental EditContext dropped keystrokes under load.
          editContext: false,
          padding: { top: 8 },
        }}
      />
      {/* Tab indents inside the editor; this says how to leave it with the keyboard. */}
      <p
        aria-hidden
        className="pointer-events-none absolute right-3 bottom-1 z-10 hidden rounded bg-muted/90 px-2 py-0.5 text-[11px] text-muted-foreground group-focus-within:block"
      >
        {LEAVE_HINT}
      </p>
    </div>
  );
}

export default memo(CodeEditor);
