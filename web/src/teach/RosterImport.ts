// Roster import: paste or pick a CSV (name, display name, email); the new accounts' one-time links
// are shown once, with a CSV download of them.
import { h, type JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { RosterImportResult } from '../../../server/http/apiTypes.ts';
import { ApiFailure } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { copyText, downloadText } from '../ui/clipboard.ts';
import { Notice, Spinner } from '../ui/common.ts';
import { importRoster } from './teachApi.ts';

/** Props of RosterImport. */
export interface RosterImportProps {
  classId: number;
  className: string;
  /** The roster changed: reload the class. */
  onImported: () => void;
}

/** A file name safe on every system for the links download. */
export function linksFileName(className: string): string {
  const base = className.replace(/[\\/:*?"<>|\s]+/g, '-').replace(/^-+|-+$/g, '');
  return `${base === '' ? 'class' : base}-links.csv`;
}

function CreatedLinks(props: { result: RosterImportResult; className: string }): JSX.Element {
  const { t } = useI18n();
  const { result } = props;
  const [copied, setCopied] = useState<string | null>(null);
  return h(
    'div',
    { class: 'roster-result', 'data-testid': 'roster-result' },
    h(
      Notice,
      {
        tone: 'ok',
        title: t('rosterDone', {
          created: result.created.length,
          added: result.added.length,
          unchanged: result.unchanged.length,
        }),
      },
      result.created.length > 0 ? h('p', null, t('rosterLinksOnce')) : null,
    ),
    result.created.length === 0
      ? null
      : h(
          'div',
          { class: 'roster-links' },
          h(
            'div',
            { class: 'actions' },
            h(
              'button',
              {
                type: 'button',
                class: 'btn btn-primary',
                'data-testid': 'roster-download',
                onClick: () => downloadText(linksFileName(props.className), result.csv),
              },
              t('rosterDownload'),
            ),
          ),
          h(
            'table',
            { class: 'data-table roster-created', 'data-testid': 'roster-created' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', null, t('accountName')),
                h('th', null, t('displayName')),
                h('th', null, t('email')),
                h('th', null, t('oneTimeLink')),
              ),
            ),
            h(
              'tbody',
              null,
              result.created.map((c) =>
                h(
                  'tr',
                  { key: c.name, 'data-testid': `roster-created-${c.name}` },
                  h('td', null, c.name),
                  h('td', null, c.displayName ?? ''),
                  h('td', null, c.email ?? ''),
                  h(
                    'td',
                    { class: 'link-cell' },
                    h('code', { 'data-testid': `roster-link-${c.name}` }, c.link),
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'btn btn-ghost btn-small',
                        onClick: () => void copyText(c.link).then((ok) => setCopied(ok ? c.name : null)),
                      },
                      copied === c.name ? t('copied') : t('copy'),
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
    result.added.length === 0
      ? null
      : h(
          'p',
          { 'data-testid': 'roster-added' },
          h('strong', null, t('rosterAdded')),
          ' ',
          result.added.join(', '),
        ),
    result.unchanged.length === 0
      ? null
      : h(
          'p',
          { class: 'muted', 'data-testid': 'roster-unchanged' },
          h('strong', null, t('rosterUnchanged')),
          ' ',
          result.unchanged.join(', '),
        ),
  );
}

/** The import form and its result. */
export function RosterImport(props: RosterImportProps): JSX.Element {
  const { t } = useI18n();
  const [csv, setCsv] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<RosterImportResult | null>(null);

  const onFile = (e: Event): void => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (file === undefined) return;
    file
      .text()
      .then((text) => setCsv(text))
      .catch((err: unknown) => setError(err));
  };

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (csv.trim() === '') return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await importRoster(props.classId, csv));
      setCsv('');
      props.onImported();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return h(
    'div',
    { class: 'roster-import', 'data-testid': 'roster-import' },
    h('p', { class: 'muted small' }, t('rosterLead')),
    h(
      'form',
      { class: 'stack', onSubmit: (e: Event) => void submit(e) },
      h('label', { for: 'roster-csv', class: 'field-label' }, t('rosterPaste')),
      h('textarea', {
        id: 'roster-csv',
        class: 'code-input',
        rows: 6,
        value: csv,
        spellcheck: false,
        placeholder: 'name,display name,email\nzhangsan,张三,zhangsan@example.edu',
        'data-testid': 'roster-csv',
        onInput: (e: Event) => setCsv((e.currentTarget as HTMLTextAreaElement).value),
      }),
      h(
        'div',
        { class: 'actions' },
        h(
          'label',
          { class: 'btn file-btn' },
          t('rosterFile'),
          h('input', {
            type: 'file',
            accept: '.csv,text/csv,text/plain',
            class: 'sr-only',
            'data-testid': 'roster-file',
            onChange: onFile,
          }),
        ),
        h(
          'button',
          {
            type: 'submit',
            class: 'btn btn-primary',
            disabled: busy || csv.trim() === '',
            'data-testid': 'roster-submit',
          },
          busy ? h(Spinner, { label: t('loading') }) : t('rosterImport'),
        ),
      ),
    ),
    error === null
      ? null
      : h(
          Notice,
          {
            tone: 'error',
            title: t('rosterFailed'),
            testId: 'roster-error',
            details: error instanceof ApiFailure ? error.details : undefined,
          },
          // The server names the CSV lines it refused ("line 3: ..."), one per line.
          h(
            'pre',
            { class: 'roster-error-text' },
            error instanceof Error ? error.message : t('rosterFailed'),
          ),
        ),
    result === null ? null : h(CreatedLinks, { result, className: props.className }),
  );
}
