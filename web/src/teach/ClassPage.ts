// /teach/classes/:id: the join code, the live gradebook with its lab filter, where the class is
// stuck, the CSV download and the roster import.
import { h, type JSX } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import type { ClassDetail, UpdateClassRequest } from '../../../server/http/apiTypes.ts';
import { useI18n } from '../i18n.ts';
import { Link, paths } from '../router.ts';
import { copyText } from '../ui/clipboard.ts';
import { FailureNotice, Loading } from '../ui/common.ts';
import { ConfirmDialog } from './ConfirmDialog.ts';
import { formatDate } from '../format.ts';
import { columnsFor, labsOf } from './gradebook.ts';
import { GradebookGrid } from './GradebookGrid.ts';
import { useLabTitles } from './labTitles.ts';
import { RosterImport } from './RosterImport.ts';
import { StuckCharts } from './StuckCharts.ts';
import { TeachLayout, Pending, type TeachBar } from './TeachLayout.ts';
import { getClass, gradebookCsvUrl, updateClass } from './teachApi.ts';
import { useClassFeed } from './useClassFeed.ts';
import { useLoad } from './useLoad.ts';

/** The join link a student can open instead of typing the code. */
export function joinLink(origin: string, code: string): string {
  return `${origin}/?join=${encodeURIComponent(code)}`;
}

function JoinCode(props: { cls: ClassDetail; onChange: (cls: ClassDetail) => void }): JSX.Element {
  const { t } = useI18n();
  const { cls } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [copied, setCopied] = useState<'code' | 'link' | null>(null);
  const [confirmNew, setConfirmNew] = useState(false);

  const patch = async (req: UpdateClassRequest): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      props.onChange(await updateClass(cls.id, req));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const copy = (what: 'code' | 'link'): void => {
    const text = what === 'code' ? cls.joinCode : joinLink(location.origin, cls.joinCode);
    void copyText(text).then((ok) => setCopied(ok ? what : null));
  };

  return h(
    'section',
    {
      class: `card join-card${cls.open ? '' : ' is-closed'}`,
      'data-testid': 'class-join',
      'data-open': cls.open,
    },
    h('h2', null, t('joinCode')),
    h(
      'div',
      { class: 'join-row' },
      h('code', { class: 'join-code', 'data-testid': 'class-join-code' }, cls.joinCode),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-small',
          'data-testid': 'class-join-copy',
          onClick: () => copy('code'),
        },
        copied === 'code' ? t('copied') : t('copy'),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-small btn-ghost',
          'data-testid': 'class-join-copy-link',
          onClick: () => copy('link'),
        },
        copied === 'link' ? t('copied') : t('copyJoinLink'),
      ),
    ),
    h(
      'p',
      { class: `join-state ${cls.open ? 'is-open' : 'is-closed'}`, 'data-testid': 'class-join-state' },
      t(cls.open ? 'joinOpen' : 'joinClosed'),
    ),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-small',
          disabled: busy,
          'data-testid': 'class-join-toggle',
          onClick: () => void patch({ open: !cls.open }),
        },
        t(cls.open ? 'joinClose' : 'joinReopen'),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-small btn-danger-outline',
          disabled: busy,
          'data-testid': 'class-join-new',
          onClick: () => setConfirmNew(true),
        },
        t('joinNewCode'),
      ),
    ),
    error === null ? null : h(FailureNotice, { error }),
    h(
      ConfirmDialog,
      {
        open: confirmNew,
        title: t('joinNewCode'),
        confirmLabel: t('joinNewCode'),
        danger: true,
        onCancel: () => setConfirmNew(false),
        onConfirm: () => {
          setConfirmNew(false);
          void patch({ newJoinCode: true });
        },
      },
      h('p', null, t('joinNewCodeConfirm', { code: cls.joinCode })),
    ),
  );
}

function ClassLabs(props: { cls: ClassDetail; titles: Map<string, string> }): JSX.Element {
  const { t, lang } = useI18n();
  return h(
    'section',
    { class: 'card', 'data-testid': 'class-labs' },
    h('h2', null, t('classLabs')),
    h(
      'ol',
      { class: 'class-lab-list' },
      props.cls.labs.map((l) =>
        h(
          'li',
          { key: l.labId, 'data-testid': `class-lab-${l.labId}` },
          h('span', null, props.titles.get(l.labId) ?? l.labId),
          l.due === null ? null : h('span', { class: 'tag' }, t('dueOn', { date: formatDate(l.due, lang) })),
        ),
      ),
    ),
    h(
      'p',
      { class: 'muted small' },
      t('classCounts', { students: props.cls.students }),
      props.cls.instructors.length === 0
        ? null
        : ` · ${t('classInstructors', { names: props.cls.instructors.join(', ') })}`,
    ),
  );
}

function LiveGradebook(props: { cls: ClassDetail; titles: Map<string, string> }): JSX.Element {
  const { t } = useI18n();
  const { cls } = props;
  const { feed, connected } = useClassFeed(cls.id);
  const [lab, setLab] = useState<string | null>(null);
  const roster = useMemo(() => new Map(cls.roster.map((s) => [s.id, s])), [cls.roster]);
  const gradebook = feed.gradebook;
  const labs = gradebook === null ? [] : labsOf(gradebook);
  const filter = lab !== null && labs.includes(lab) ? lab : null;
  const columns = gradebook === null ? [] : columnsFor(gradebook.exercises, filter);

  return h(
    'div',
    { class: 'gradebook' },
    h(
      'section',
      { class: 'card', 'data-testid': 'class-grid', 'data-live': connected },
      h(
        'div',
        { class: 'section-head' },
        h('h2', null, t('gridTitle')),
        h(
          'span',
          {
            class: `live-badge${connected ? ' is-live' : ''}`,
            'data-testid': 'grid-live',
            'data-connected': connected,
            role: 'status',
          },
          h('span', { class: 'dot', 'aria-hidden': 'true' }),
          t(connected ? 'gridLive' : 'gridReconnecting'),
        ),
        h(
          'label',
          { class: 'field-inline' },
          h('span', { class: 'field-label' }, t('gridLabFilter')),
          h(
            'select',
            {
              value: filter ?? '',
              'data-testid': 'grid-lab-filter',
              onChange: (e: Event) => {
                const v = (e.currentTarget as HTMLSelectElement).value;
                setLab(v === '' ? null : v);
              },
            },
            h('option', { value: '' }, t('gridAllLabs')),
            labs.map((id) => h('option', { key: id, value: id }, props.titles.get(id) ?? id)),
          ),
        ),
        h(
          'a',
          { class: 'btn btn-small', href: gradebookCsvUrl(cls.id), download: '', 'data-testid': 'class-csv' },
          t('gridCsv'),
        ),
      ),
      gradebook === null
        ? h(Loading, {})
        : h(GradebookGrid, {
            classId: cls.id,
            gradebook,
            columns,
            roster,
            env: feed.env,
            labTitles: props.titles,
          }),
    ),
    h(
      'section',
      { class: 'card', 'data-testid': 'class-stuck' },
      h('h2', null, t('stuckTitle')),
      gradebook === null
        ? h(Loading, {})
        : h(StuckCharts, {
            gradebook,
            columns,
            labTitles: filter === null && labs.length > 1 ? props.titles : null,
          }),
    ),
  );
}

/** The class page. */
export function ClassPage(props: { classId: number; bar: TeachBar }): JSX.Element {
  const { t } = useI18n();
  const cls = useLoad(() => getClass(props.classId), String(props.classId));
  const titles = useLabTitles();
  const data = cls.data;

  return h(
    TeachLayout,
    { bar: props.bar, section: 'classes', testId: 'class-page', wide: true },
    h(Link, { href: paths.teach(), class: 'crumb', testId: 'back-to-classes' }, `← ${t('teachClasses')}`),
    data === null
      ? h(Pending, { error: cls.error })
      : h(
          'div',
          { class: 'class-page', 'data-class': data.id },
          h('h1', { 'data-testid': 'class-name' }, data.name),
          h(
            'div',
            { class: 'class-top' },
            h(JoinCode, { cls: data, onChange: cls.setData }),
            h(ClassLabs, { cls: data, titles }),
          ),
          h(LiveGradebook, { cls: data, titles }),
          h(
            'section',
            { class: 'card roster-card', 'data-testid': 'roster-section' },
            h('h2', null, t('rosterTitle')),
            h(RosterImport, { classId: data.id, className: data.name, onImported: cls.reload }),
          ),
        ),
  );
}
