// The Editor tab: a server selector, a path field, a small directory browser and Monaco (loaded on first use).
import { h, type JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { DirListing } from '../../../server/http/apiTypes.ts';
import { ApiFailure, getFile, saveFile } from '../api.ts';
import type * as MonacoEditorModule from '../editor/monacoEditor.ts';
import type { CodeEditor } from '../editor/monacoEditor.ts';
import { useI18n, type Translate } from '../i18n.ts';
import { FailureNotice, Spinner } from './common.ts';

/** The servers of every environment. */
export const NODES = ['bigdata01', 'bigdata02', 'bigdata03'] as const;

/** Files a student edits most in these labs. */
const QUICK_OPEN = [
  { label: 'server.properties', path: '/opt/apps/kafka/config/server.properties' },
  { label: 'hadoop-etc.sh', path: '/etc/profile.d/hadoop-etc.sh' },
  { label: '/root', path: '/root' },
];

type MonacoModule = typeof MonacoEditorModule;
let monacoModule: Promise<MonacoModule> | null = null;

/** Loads Monaco once per page, on the first visit of the Editor tab. */
function loadMonaco(): Promise<MonacoModule> {
  monacoModule ??= import('../editor/monacoEditor.ts');
  return monacoModule;
}

function parentOf(path: string): string {
  const cut = path.replace(/\/+$/, '').lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

function describeError(err: unknown, path: string, t: Translate): string {
  if (!(err instanceof ApiFailure)) return err instanceof Error ? err.message : String(err);
  switch (err.status) {
    case 403:
      return t('editorErr403', { message: err.message });
    case 404:
      return t('editorErr404', { path });
    case 413:
      return t('editorErr413');
    case 415:
      return t('editorErr415');
    default:
      return t('editorErrOther', { message: err.message });
  }
}

interface OpenFile {
  node: string;
  path: string;
}

function DirBrowser(props: { listing: DirListing; onOpen: (path: string) => void }): JSX.Element {
  const { t } = useI18n();
  const { listing } = props;
  const entries = [...listing.entries].sort((a, b) =>
    a.type === 'dir' && b.type !== 'dir'
      ? -1
      : b.type === 'dir' && a.type !== 'dir'
        ? 1
        : a.name.localeCompare(b.name),
  );
  return h(
    'div',
    { class: 'dir-browser', 'data-testid': 'editor-browser', 'data-path': listing.path },
    h('div', { class: 'dir-path', title: listing.path }, listing.path),
    h(
      'ul',
      { class: 'dir-entries' },
      listing.path === '/'
        ? null
        : h(
            'li',
            null,
            h(
              'button',
              {
                type: 'button',
                class: 'dir-entry is-up',
                title: t('editorUp'),
                'data-testid': 'editor-entry-..',
                onClick: () => props.onOpen(parentOf(listing.path)),
              },
              h('span', { class: 'dir-icon', 'aria-hidden': 'true' }, '↰'),
              '..',
            ),
          ),
      entries.length === 0 ? h('li', { class: 'muted dir-empty' }, t('editorEmptyDir')) : null,
      entries.map((entry) =>
        h(
          'li',
          { key: entry.name },
          h(
            'button',
            {
              type: 'button',
              class: `dir-entry is-${entry.type}`,
              'data-testid': `editor-entry-${entry.name}`,
              disabled: entry.type === 'other',
              title: entry.type === 'file' ? `${entry.size} B` : undefined,
              onClick: () => props.onOpen(joinPath(listing.path, entry.name)),
            },
            h(
              'span',
              { class: 'dir-icon', 'aria-hidden': 'true' },
              entry.type === 'dir' ? '▸' : entry.type === 'link' ? '↪' : '·',
            ),
            entry.name,
            entry.type === 'dir' ? '/' : '',
          ),
        ),
      ),
    ),
  );
}

/** Props of EditorPane. */
export interface EditorPaneProps {
  active: boolean;
  /** The environment runs (files can be read). */
  enabled: boolean;
}

/** Edits files on the three servers through GET/PUT /api/files. */
export function EditorPane(props: EditorPaneProps): JSX.Element {
  const { t } = useI18n();
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<CodeEditor | null>(null);
  const [ready, setReady] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [node, setNode] = useState<string>('bigdata01');
  const [pathInput, setPathInput] = useState('/root');
  // Submit reads the field itself: a click right after typing can beat the re-render that
  // would hand the handler the new state.
  const pathField = useRef<HTMLInputElement>(null);
  const [listing, setListing] = useState<DirListing | null>(null);
  const [file, setFile] = useState<OpenFile | null>(null);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const started = useRef(false);

  const browse = useCallback(async (onNode: string, dir: string): Promise<void> => {
    try {
      const res = await getFile(onNode, dir);
      if (res.kind === 'dir') setListing(res);
    } catch {
      // The browser is a convenience; the file itself opened fine.
    }
  }, []);

  // Only the latest open() may change the pane: an older answer arriving late is dropped.
  const openSeq = useRef(0);
  const open = useCallback(
    async (path: string, onNode: string = node): Promise<void> => {
      const target = path.trim() === '' ? '/' : path.trim();
      const seq = ++openSeq.current;
      setBusy(true);
      setError(null);
      setNotice(null);
      try {
        const res = await getFile(onNode, target);
        if (seq !== openSeq.current) return;
        if (res.kind === 'dir') {
          setListing(res);
          setPathInput(res.path);
          setNode(onNode);
          return;
        }
        if (editor.current?.isDirty() === true && !window.confirm(t('editorDiscard'))) return;
        editor.current?.open(res.path, res.content);
        setFile({ node: onNode, path: res.path });
        setPathInput(res.path);
        setNode(onNode);
        const dir = parentOf(res.path);
        if (listing?.path !== dir || onNode !== node) void browse(onNode, dir);
      } catch (err) {
        if (seq === openSeq.current) setError(describeError(err, target, t));
      } finally {
        if (seq === openSeq.current) setBusy(false);
      }
    },
    [browse, listing, node, t],
  );

  const save = useCallback(async (): Promise<void> => {
    const current = editor.current;
    if (file === null || current === null) return;
    setBusy(true);
    setError(null);
    try {
      const saved = await saveFile(file.node, file.path, current.value());
      current.markSaved();
      setNotice(t('editorSaved', { bytes: saved.bytes }));
    } catch (err) {
      setError(describeError(err, file.path, t));
    } finally {
      setBusy(false);
    }
  }, [file, t]);

  // Monaco's Ctrl+S command is bound once; it calls whatever save is current.
  const saveRef = useRef(save);
  saveRef.current = save;

  useEffect(() => {
    if (!props.active || started.current || host.current === null) return;
    started.current = true;
    const target = host.current;
    let disposed = false;
    loadMonaco()
      .then((m) => {
        if (disposed) return;
        editor.current = m.createCodeEditor(target, {
          onDirtyChange: setDirty,
          onSave: () => void saveRef.current(),
        });
        setReady(true);
      })
      .catch((err: unknown) => setLoadError(err));
    return () => {
      disposed = true;
    };
  }, [props.active]);

  useEffect(() => () => editor.current?.dispose(), []);

  // First directory listing once both Monaco and the servers are up.
  const listed = useRef(false);
  useEffect(() => {
    if (ready && props.enabled && !listed.current) {
      listed.current = true;
      void open(pathInput);
    }
  }, [ready, props.enabled, open, pathInput]);

  const onKeyDown = (e: KeyboardEvent): void => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
      e.preventDefault();
      void save();
    }
  };

  const switchNode = (next: string): void => {
    if (next === node) return;
    setNode(next);
    const reopen = file?.path ?? listing?.path;
    if (reopen !== undefined) void open(reopen, next);
  };

  return h(
    'div',
    { class: 'editor-pane', 'data-testid': 'editor-pane', 'data-dirty': String(dirty), onKeyDown },
    h(
      'form',
      {
        class: 'editor-toolbar',
        onSubmit: (e: Event) => {
          e.preventDefault();
          void open(pathField.current?.value ?? pathInput);
        },
      },
      h(
        'label',
        { class: 'field field-inline' },
        h('span', { class: 'field-label' }, t('editorServer')),
        h(
          'select',
          {
            value: node,
            'data-testid': 'editor-node',
            onChange: (e: Event) => switchNode((e.currentTarget as HTMLSelectElement).value),
          },
          NODES.map((n) => h('option', { key: n, value: n }, n)),
        ),
      ),
      h(
        'label',
        { class: 'field field-inline field-grow' },
        h('span', { class: 'field-label' }, t('editorPath')),
        h('input', {
          type: 'text',
          ref: pathField,
          value: pathInput,
          spellcheck: false,
          autocomplete: 'off',
          'data-testid': 'editor-path',
          onInput: (e: Event) => setPathInput((e.currentTarget as HTMLInputElement).value),
        }),
      ),
      h(
        'button',
        { type: 'submit', class: 'btn', 'data-testid': 'editor-open', disabled: busy || !ready },
        t('editorOpen'),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-primary',
          'data-testid': 'editor-save',
          disabled: busy || file === null,
          onClick: () => void save(),
        },
        t('editorSave'),
      ),
    ),
    h(
      'div',
      { class: 'editor-quick' },
      h('span', { class: 'muted' }, `${t('editorQuick')}:`),
      QUICK_OPEN.map((q) =>
        h(
          'button',
          {
            key: q.path,
            type: 'button',
            class: 'chip',
            title: q.path,
            'data-testid': `editor-quick-${q.label}`,
            disabled: busy || !ready,
            onClick: () => void open(q.path),
          },
          q.label,
        ),
      ),
      file === null
        ? null
        : h(
            'span',
            { class: 'editor-file' },
            h(
              'span',
              { class: 'editor-current', 'data-testid': 'editor-current', title: file.path },
              `${file.node}:${file.path}`,
            ),
            dirty
              ? h(
                  'span',
                  { class: 'dirty-marker', 'data-testid': 'editor-dirty', title: t('editorUnsaved') },
                  `● ${t('editorUnsaved')}`,
                )
              : null,
          ),
    ),
    error === null
      ? null
      : h('div', { class: 'editor-error', role: 'alert', 'data-testid': 'editor-error' }, error),
    notice === null
      ? null
      : h('div', { class: 'editor-notice', role: 'status', 'data-testid': 'editor-status' }, notice),
    h(
      'div',
      { class: 'editor-body' },
      listing === null
        ? h('div', { class: 'dir-browser' })
        : h(DirBrowser, { listing, onOpen: (p) => void open(p) }),
      h(
        'div',
        { class: 'editor-main' },
        h('div', { class: 'monaco-host', ref: host, 'data-testid': 'editor-monaco' }),
        ready
          ? file === null
            ? h('div', { class: 'editor-empty muted' }, t('editorNothingOpen'))
            : null
          : h(
              'div',
              { class: 'editor-empty' },
              loadError === null
                ? [h(Spinner, { label: '' }), ' ', t('editorLoadingMonaco')]
                : h(FailureNotice, { error: loadError }),
            ),
      ),
    ),
  );
}
