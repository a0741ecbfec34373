// /teach: the instructor's classes and the form that creates one.
import { h, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ClassSummary, LabSummary } from '../../../server/http/apiTypes.ts';
import { useI18n } from '../i18n.ts';
import { Link, navigate, paths } from '../router.ts';
import { FailureNotice, Spinner } from '../ui/common.ts';
import { dueToIso, formatDate } from '../format.ts';
import { loadOutline } from './labTitles.ts';
import { Pending, TeachLayout, type TeachBar } from './TeachLayout.ts';
import { createClass, listClasses } from './teachApi.ts';
import { useLoad } from './useLoad.ts';

function ClassList(props: { classes: ClassSummary[] }): JSX.Element {
  const { t, lang } = useI18n();
  if (props.classes.length === 0)
    return h('p', { class: 'muted', 'data-testid': 'class-list-empty' }, t('classesNone'));
  return h(
    'ul',
    { class: 'class-list', 'data-testid': 'class-list' },
    props.classes.map((c) =>
      h(
        'li',
        { key: c.id, class: 'class-item', 'data-testid': `class-${c.id}`, 'data-name': c.name },
        h('h3', null, h(Link, { href: paths.teachClass(c.id), testId: `class-link-${c.id}` }, c.name)),
        h(
          'p',
          { class: 'muted small' },
          t('classCounts', { students: c.students }),
          ' · ',
          t('classLabCount', { n: c.labs.length }),
          ' · ',
          t('createdOn', { date: formatDate(c.createdAt, lang) }),
        ),
        h(
          'p',
          { class: 'small' },
          h('span', { class: 'field-label' }, t('joinCode')),
          ' ',
          h('code', { class: 'join-code-small' }, c.joinCode),
          ' ',
          h(
            'span',
            { class: `tag ${c.open ? 'tag-accent' : ''}` },
            t(c.open ? 'joinOpenShort' : 'joinClosedShort'),
          ),
        ),
      ),
    ),
  );
}

function CreateClass(): JSX.Element {
  const { t, lang } = useI18n();
  const [labs, setLabs] = useState<LabSummary[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [due, setDue] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    loadOutline()
      .then((o) => {
        setLabs(o.labs);
        // The whole course by default: most classes take every lab.
        setPicked(new Set(o.labs.map((l) => l.id)));
      })
      .catch(setLoadError);
  }, []);

  const toggle = (id: string, on: boolean): void => {
    const next = new Set(picked);
    if (on) next.add(id);
    else next.delete(id);
    setPicked(next);
  };

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (labs === null || name.trim() === '' || picked.size === 0) return;
    setBusy(true);
    setError(null);
    const chosen = labs.filter((l) => picked.has(l.id)).map((l) => l.id);
    const dues: Record<string, string | null> = {};
    for (const id of chosen) {
      const iso = dueToIso(due[id] ?? '');
      if (iso !== null) dues[id] = iso;
    }
    try {
      const created = await createClass({ name: name.trim(), labs: chosen, due: dues });
      navigate(paths.teachClass(created.id));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return h(
    'section',
    { class: 'card', 'data-testid': 'class-create' },
    h('h2', null, t('classCreate')),
    h(
      'form',
      { class: 'stack', onSubmit: (e: Event) => void submit(e) },
      h('label', { for: 'class-create-name', class: 'field-label' }, t('className')),
      h('input', {
        id: 'class-create-name',
        type: 'text',
        value: name,
        required: true,
        maxLength: 100,
        placeholder: t('classNamePlaceholder'),
        'data-testid': 'class-create-name',
        onInput: (e: Event) => setName((e.currentTarget as HTMLInputElement).value),
      }),
      h(
        'fieldset',
        { class: 'lab-picker' },
        h('legend', { class: 'field-label' }, t('classPickLabs')),
        labs === null
          ? loadError === null
            ? h(Spinner, { label: t('loading') })
            : h(FailureNotice, { error: loadError })
          : h(
              'table',
              { class: 'lab-pick-table' },
              h('thead', null, h('tr', null, h('th', null, t('teachLabs')), h('th', null, t('dueOptional')))),
              h(
                'tbody',
                null,
                labs.map((l) =>
                  h(
                    'tr',
                    { key: l.id },
                    h(
                      'td',
                      null,
                      h(
                        'label',
                        { class: 'toggle' },
                        h('input', {
                          type: 'checkbox',
                          checked: picked.has(l.id),
                          'data-testid': `class-create-lab-${l.id}`,
                          onChange: (e: Event) => toggle(l.id, (e.currentTarget as HTMLInputElement).checked),
                        }),
                        l.title[lang],
                      ),
                    ),
                    h(
                      'td',
                      null,
                      h('input', {
                        type: 'date',
                        value: due[l.id] ?? '',
                        disabled: !picked.has(l.id),
                        'aria-label': t('dueFor', { lab: l.title[lang] }),
                        'data-testid': `class-create-due-${l.id}`,
                        onInput: (e: Event) =>
                          setDue({ ...due, [l.id]: (e.currentTarget as HTMLInputElement).value }),
                      }),
                    ),
                  ),
                ),
              ),
            ),
      ),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'submit',
            class: 'btn btn-primary',
            disabled: busy || labs === null || name.trim() === '' || picked.size === 0,
            'data-testid': 'class-create-submit',
          },
          busy ? h(Spinner, { label: t('loading') }) : t('classCreateButton'),
        ),
      ),
      error === null ? null : h(FailureNotice, { error, testId: 'class-create-error' }),
    ),
  );
}

/** The dashboard's home. */
export function ClassesPage(props: { bar: TeachBar }): JSX.Element {
  const { t } = useI18n();
  const classes = useLoad(listClasses, 'classes');
  return h(
    TeachLayout,
    { bar: props.bar, section: 'classes', testId: 'teach-page' },
    h('h1', null, t('teachClasses')),
    classes.data === null ? h(Pending, { error: classes.error }) : h(ClassList, { classes: classes.data }),
    h(CreateClass, {}),
  );
}
