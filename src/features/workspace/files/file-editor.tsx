/**
 * Monaco for a text file of the sandbox. This module is the lazy chunk (the viewer imports it with
 * React.lazy), and it uses the same locally bundled Monaco as the run pane (src/lib/monaco.ts).
 */
import Editor, { type OnMount } from '@monaco-editor/react';
import { memo, useEffect, useRef } from 'react';
import { monaco } from '@/lib/monaco';
import { useTheme } from '@/lib/theme';

export interface FileEditorProps {
  initial: string;
  language: string;
  label: string;
  onChange: (text: string) => void;
  /** Ctrl/Cmd+S, with the editor's current text. */
  onSave: (text: string) => void;
}

function FileEditor({ initial, language, label, onChange, onSave }: FileEditorProps) {
  const { resolvedTheme } = useTheme();
  const saveRef = useRef(onSave);
  useEffect(() => {
    saveRef.current = onSave;
  }, [onSave]);
  const onMount: OnMount = (editor) => {
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => saveRef.current(editor.getValue()));
  };
  // Uncontrolled, like the run pane's editor: the model is the truth while typing.
  return (
    <div className="h-full min-h-0" data-testid="file-editor">
      <Editor
        defaultValue={initial}
        language={language}
        theme={resolvedTheme === 'dark' ? 'vs-dark' : 'vs'}
        onChange={(v) => onChange(v ?? '')}
        onMount={onMount}
        loading={<div className="p-3 text-sm text-muted-foreground">Loading editor…</div>}
        options={{
          minimap: { enabled: false },
          fontSize: 13,
          scrollBeyondLastLine: false,
          automaticLayout: true,
          ariaLabel: label,
          editContext: false,
          padding: { top: 8 },
        }}
      />
    </div>
  );
}

export default memo(FileEditor);
