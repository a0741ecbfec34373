// Loaded with import() when the Editor tab first opens: Monaco is most of the app's weight, and
// a student reading a chapter or typing in a terminal should not download it.
import * as monaco from 'monaco-editor/editor/editor.api.js';
// Editing features picked one by one: the full editor.main also registers every language and
// the TypeScript/JSON/CSS/HTML language services with their workers, which we do not need.
import 'monaco-editor/features/codicon/register.js';
import 'monaco-editor/features/codeEditor/register.js';
import 'monaco-editor/features/find/register.js';
import 'monaco-editor/features/clipboard/register.js';
import 'monaco-editor/features/contextmenu/register.js';
import 'monaco-editor/features/bracketMatching/register.js';
import 'monaco-editor/features/comment/register.js';
import 'monaco-editor/features/linesOperations/register.js';
import 'monaco-editor/features/multicursor/register.js';
import 'monaco-editor/features/wordHighlighter/register.js';
import 'monaco-editor/features/wordOperations/register.js';
import 'monaco-editor/features/folding/register.js';
import 'monaco-editor/features/indentation/register.js';
import 'monaco-editor/features/cursorUndo/register.js';
import 'monaco-editor/features/gotoLine/register.js';
import 'monaco-editor/languages/definitions/ini/register.js';
import 'monaco-editor/languages/definitions/shell/register.js';
import 'monaco-editor/languages/definitions/javascript/register.js';
import 'monaco-editor/languages/definitions/yaml/register.js';
import 'monaco-editor/languages/definitions/markdown/register.js';
import 'monaco-editor/languages/definitions/xml/register.js';
import EditorWorker from 'monaco-editor/editor/editor.worker.js?worker';
import type { Disposable } from '../disposable.ts';
import { languageFor } from './languages.ts';

// Only the core editor worker (diffing, word ranges); no language workers, so every label maps to it.
self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

// JSON gets a small Monarch grammar instead of Monaco's JSON language service and its worker.
monaco.languages.register({ id: 'json', extensions: ['.json'], aliases: ['JSON', 'json'] });
monaco.languages.setMonarchTokensProvider('json', {
  tokenizer: {
    root: [
      [/"(?:[^"\\]|\\.)*"(?=\s*:)/, 'type'],
      [/"(?:[^"\\]|\\.)*"/, 'string'],
      [/-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/, 'number'],
      [/\b(?:true|false|null)\b/, 'keyword'],
      [/[{}[\],:]/, 'delimiter'],
    ],
  },
});
monaco.languages.setLanguageConfiguration('json', {
  brackets: [
    ['{', '}'],
    ['[', ']'],
  ],
  autoClosingPairs: [
    { open: '{', close: '}' },
    { open: '[', close: ']' },
    { open: '"', close: '"' },
  ],
});

/** What the editor pane needs from Monaco. */
export interface CodeEditor extends Disposable {
  /** Shows a file, replacing the current one, and marks it clean. */
  open(path: string, content: string): void;
  /** The current text. */
  value(): string;
  /** Marks the current text as saved (clean). */
  markSaved(): void;
  /** Whether the text differs from what was opened or last saved (undoing back to it counts as clean). */
  isDirty(): boolean;
  /** Gives the keyboard to the editor. */
  focus(): void;
}

/** Callbacks of createCodeEditor. */
export interface CodeEditorOptions {
  onDirtyChange: (dirty: boolean) => void;
  /** Ctrl/Cmd+S inside the editor. */
  onSave: () => void;
}

/** Creates a Monaco editor in `container` (it follows the container's size). */
export function createCodeEditor(container: HTMLElement, opts: CodeEditorOptions): CodeEditor {
  const editor = monaco.editor.create(container, {
    value: '',
    language: 'plaintext',
    theme: 'vs-dark',
    automaticLayout: true,
    fontSize: 14,
    fontFamily:
      "ui-monospace, 'SFMono-Regular', 'Cascadia Mono', 'DejaVu Sans Mono', Menlo, Consolas, 'Noto Sans Mono CJK SC', monospace",
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    renderWhitespace: 'boundary',
    tabSize: 4,
    insertSpaces: true,
    wordWrap: 'off',
    ariaLabel: 'File editor',
  });
  let model: monaco.editor.ITextModel | null = null;
  let savedVersion = 0;
  let dirty = false;

  const updateDirty = (): void => {
    const now = model !== null && model.getAlternativeVersionId() !== savedVersion;
    if (now !== dirty) {
      dirty = now;
      opts.onDirtyChange(dirty);
    }
  };
  const contentListener = editor.onDidChangeModelContent(updateDirty);
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => opts.onSave());

  return {
    open(path, content) {
      const previous = model;
      model = monaco.editor.createModel(content, languageFor(path));
      // Files from Linux servers use \n; keep it even when the browser runs on Windows.
      model.setEOL(monaco.editor.EndOfLineSequence.LF);
      editor.setModel(model);
      previous?.dispose();
      savedVersion = model.getAlternativeVersionId();
      updateDirty();
    },
    value: () => model?.getValue() ?? '',
    markSaved() {
      if (model !== null) savedVersion = model.getAlternativeVersionId();
      updateDirty();
    },
    isDirty: () => dirty,
    focus: () => editor.focus(),
    dispose() {
      contentListener.dispose();
      editor.dispose();
      model?.dispose();
    },
  };
}
