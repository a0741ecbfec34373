// /teach/users (admins): everyone with an account, and new accounts with their one-time link.
import { h, type JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { OneTimeLink, Role, UserSummary } from '../../../server/http/apiTypes.ts';
import { useI18n, type Translate } from '../i18n.ts';
import { copyText } from '../ui/clipboard.ts';
import { FailureNotice, Notice, Spinner } from '../ui/common.ts';
import { formatDate, formatDateTime } from '../format.ts';
import { Pending, TeachLayout, type TeachBar } from './TeachLayout.ts';
import { createUser, getCapacity, listUsers, newPasswordLink } from './teachApi.ts';
import { useLoad } from './useLoad.ts';

/** A role in words. */
export function roleLabel(role: Role, t: Translate): string {
  return t(role === 'admin' ? 'roleAdmin' : role === 'instructor' ? 'roleInstructor' : 'roleStudent');
}

function UserTable(props: { users: UserSummary[] }): JSX.Element {
  const { t, lang } = useI18n();
  const [link, setLink] = useState<OneTimeLink | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const newLink = async (user: UserSummary): Promise<void> => {
    setBusy(user.id);
    setError(null);
    setLink(null);
    try {
      setLink(await newPasswordLink(user.id));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const table = h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data-table', 'data-testid': 'users-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, t('accountName')),
          h('th', { scope: 'col' }, t('displayName')),
          h('th', { scope: 'col' }, t('role')),
          h('th', { scope: 'col' }, t('activated')),
          h('th', { scope: 'col' }, t('createdAt')),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('userNewLink'))),
        ),
      ),
      h(
        'tbody',
        null,
        props.users.map((u) =>
          h(
            'tr',
            {
              key: u.id,
              'data-testid': `user-${u.name}`,
              'data-role': u.role,
              'data-activated': u.activated,
            },
            h('td', null, u.name),
            h('td', null, u.displayName ?? ''),
            h(
              'td',
              null,
              h('span', { class: `tag${u.role === 'student' ? '' : ' tag-accent'}` }, roleLabel(u.role, t)),
            ),
            h('td', null, u.activated ? t('yes') : h('span', { class: 'tag tag-warn' }, t('notActivated'))),
            h('td', null, formatDate(u.createdAt, lang)),
            h(
              'td',
              null,
              h(
                'button',
                {
                  type: 'button',
                  class: 'btn btn-ghost btn-small',
                  disabled: busy !== null,
                  title: t('userNewLinkLead'),
                  'data-testid': `user-${u.name}-newlink`,
                  onClick: () => void newLink(u),
                },
                busy === u.id ? h(Spinner, { label: t('loading') }) : t('userNewLink'),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  return h(
    'div',
    null,
    error === null ? null : h(FailureNotice, { error, testId: 'user-newlink-error' }),
    link === null ? null : h(LinkOnce, { link, testId: 'user-newlink' }),
    table,
  );
}

/** The one-time link of the account just created, with a copy button (it is shown only now). */
export function LinkOnce(props: { link: OneTimeLink; testId: string }): JSX.Element {
  const { t, lang } = useI18n();
  const [copied, setCopied] = useState(false);
  return h(
    Notice,
    { tone: 'ok', title: t('linkFor', { name: props.link.name }), testId: props.testId },
    h('p', null, t('linkOnce')),
    h(
      'div',
      { class: 'link-once' },
      h('code', { 'data-testid': `${props.testId}-url` }, props.link.link),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-small',
          'data-testid': `${props.testId}-copy`,
          onClick: () => void copyText(props.link.link).then(setCopied),
        },
        copied ? t('copied') : t('copy'),
      ),
    ),
    h('p', { class: 'muted small' }, t('linkExpires', { time: formatDateTime(props.link.expiresAt, lang) })),
  );
}

function CreateUser(props: { onCreated: () => void }): JSX.Element {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('instructor');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [link, setLink] = useState<OneTimeLink | null>(null);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (name.trim() === '') return;
    setBusy(true);
    setError(null);
    setLink(null);
    try {
      const created = await createUser({
        name: name.trim(),
        role,
        ...(displayName.trim() === '' ? {} : { displayName: displayName.trim() }),
        ...(email.trim() === '' ? {} : { email: email.trim() }),
      });
      setLink(created);
      setName('');
      setDisplayName('');
      setEmail('');
      props.onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const input = (
    id: string,
    label: string,
    value: string,
    set: (v: string) => void,
    type = 'text',
  ): JSX.Element =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: id, class: 'field-label' }, label),
      h('input', {
        id,
        type,
        value,
        maxLength: 128,
        'data-testid': id,
        onInput: (e: Event) => set((e.currentTarget as HTMLInputElement).value),
      }),
    );

  return h(
    'section',
    { class: 'card', 'data-testid': 'user-create' },
    h('h2', null, t('userCreate')),
    h(
      'form',
      { class: 'form-grid', onSubmit: (e: Event) => void submit(e) },
      input('user-create-name', t('accountName'), name, setName),
      input('user-create-display', t('displayNameOptional'), displayName, setDisplayName),
      input('user-create-email', t('emailOptional'), email, setEmail, 'email'),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'user-create-role', class: 'field-label' }, t('role')),
        h(
          'select',
          {
            id: 'user-create-role',
            value: role,
            'data-testid': 'user-create-role',
            onChange: (e: Event) => setRole((e.currentTarget as HTMLSelectElement).value as Role),
          },
          (['instructor', 'admin', 'student'] as const).map((r) =>
            h('option', { key: r, value: r }, roleLabel(r, t)),
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
            disabled: busy || name.trim() === '',
            'data-testid': 'user-create-submit',
          },
          busy ? h(Spinner, { label: t('loading') }) : t('userCreateButton'),
        ),
      ),
    ),
    error === null ? null : h(FailureNotice, { error, testId: 'user-create-error' }),
    link === null ? null : h(LinkOnce, { link, testId: 'user-link' }),
  );
}

/** The users page. */
/** How full the host is and who waits for a place (admins). */
function Capacity(): JSX.Element {
  const { t } = useI18n();
  const capacity = useLoad(getCapacity, 'capacity');
  const c = capacity.data;
  return h(
    'section',
    { class: 'card', 'data-testid': 'capacity' },
    h(
      'div',
      { class: 'section-head' },
      h('h2', null, t('capacityTitle')),
      h('button', { type: 'button', class: 'btn btn-small', onClick: capacity.reload }, t('capacityReload')),
    ),
    h('p', { class: 'muted small' }, t('capacityLead')),
    c === null
      ? h(Pending, { error: capacity.error })
      : h(
          'div',
          null,
          h(
            'ul',
            { class: 'plain' },
            h(
              'li',
              { 'data-testid': 'capacity-places' },
              t('capacityPlaces', { used: c.occupied, capacity: c.capacity }),
            ),
            h('li', null, t('capacityBooting', { n: c.booting, max: c.bootConcurrency })),
            h('li', { 'data-testid': 'capacity-queued' }, t('capacityQueued', { n: c.queued })),
            h(
              'li',
              { 'data-testid': 'capacity-pool' },
              t('capacityPool', { ready: c.pool.ready, install: c.pool.install }),
            ),
          ),
          c.line.length === 0
            ? h('p', { class: 'muted small' }, t('capacityLineEmpty'))
            : h(
                'ol',
                { 'data-testid': 'capacity-line' },
                c.line.map((w) => h('li', { key: w.name }, w.name)),
              ),
        ),
  );
}

export function UsersPage(props: { bar: TeachBar }): JSX.Element {
  const { t } = useI18n();
  const users = useLoad(listUsers, 'users');
  return h(
    TeachLayout,
    { bar: props.bar, section: 'users', testId: 'users-page' },
    h('h1', null, t('teachUsers')),
    h(Capacity, {}),
    h(CreateUser, { onCreated: users.reload }),
    h(
      'section',
      { class: 'card' },
      h('h2', null, t('usersAll')),
      users.data === null ? h(Pending, { error: users.error }) : h(UserTable, { users: users.data }),
    ),
  );
}
