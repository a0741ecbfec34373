// The Cluster tab: brokers, topics with partitions/leader/ISR, and consumer groups with lag, live from /ws/env.
import { h, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ClusterSnapshot } from '../../../server/http/apiTypes.ts';
import type { EnvFeed, EnvSocket } from '../env/EnvSocket.ts';
import { useI18n } from '../i18n.ts';
import { Notice, Spinner } from './common.ts';

type Topic = ClusterSnapshot['topics'][number];
type Partition = Topic['partitions'][number];
type Group = ClusterSnapshot['groups'][number];

function partitionHealth(p: Partition): 'ok' | 'under' | 'offline' {
  if (p.leader < 0 || p.offline.length > 0) return 'offline';
  if (p.isr.length < p.replicas.length) return 'under';
  return 'ok';
}

function Brokers(props: { snapshot: ClusterSnapshot }): JSX.Element {
  const { t } = useI18n();
  const { brokers, controller } = props.snapshot;
  return h(
    'section',
    { class: 'cluster-section' },
    h('h3', null, t('clusterBrokers')),
    h(
      'ul',
      { class: 'broker-list', 'data-testid': 'cluster-brokers' },
      brokers.map((b) =>
        h(
          'li',
          {
            key: b.id,
            class: `broker-card ${b.up ? 'is-up' : 'is-down'}`,
            'data-testid': `broker-${b.id}`,
            'data-up': String(b.up),
            'data-controller': String(b.id === controller),
          },
          h('span', { class: 'broker-dot', 'aria-hidden': 'true' }),
          h('span', { class: 'broker-id' }, `broker ${b.id}`),
          h('span', { class: 'broker-host muted' }, b.host === null ? '—' : `${b.host}:${b.port ?? ''}`),
          h('span', { class: 'broker-state' }, t(b.up ? 'clusterUp' : 'clusterDown')),
          b.id === controller
            ? h(
                'span',
                { class: 'tag tag-accent', 'data-testid': 'cluster-controller' },
                t('clusterController'),
              )
            : null,
        ),
      ),
    ),
  );
}

function replicaList(ids: number[], leader: number, isr: number[]): JSX.Element {
  return h(
    'span',
    { class: 'replicas' },
    ids.map((id) =>
      h(
        'span',
        {
          key: id,
          class: `replica${id === leader ? ' is-leader' : ''}${isr.includes(id) ? '' : ' is-out'}`,
        },
        String(id),
      ),
    ),
  );
}

function TopicBlock(props: { topic: Topic }): JSX.Element {
  const { t } = useI18n();
  const { topic } = props;
  const health = topic.partitions.map(partitionHealth);
  const offline = health.filter((x) => x === 'offline').length;
  const under = health.filter((x) => x === 'under').length;
  const rf = topic.partitions[0]?.replicas.length ?? 0;
  return h(
    'details',
    {
      class: `topic${offline > 0 ? ' has-offline' : under > 0 ? ' has-under' : ''}`,
      'data-testid': `topic-${topic.name}`,
      'data-partitions': String(topic.partitions.length),
      open: topic.partitions.length <= 6,
    },
    h(
      'summary',
      { class: 'topic-head' },
      h('span', { class: 'topic-name' }, topic.name),
      h(
        'span',
        { class: 'topic-count', 'data-testid': `topic-${topic.name}-partitions` },
        String(topic.partitions.length),
      ),
      h(
        'span',
        { class: 'muted' },
        `${topic.partitions.length === 1 ? t('clusterPartitionsOne') : t('clusterPartitions', { n: topic.partitions.length })} · RF ${rf}`,
      ),
      offline > 0 ? h('span', { class: 'tag tag-error' }, `${offline} ${t('clusterOffline')}`) : null,
      under > 0 ? h('span', { class: 'tag tag-warn' }, `${under} ${t('clusterUnderReplicated')}`) : null,
    ),
    h(
      'table',
      { class: 'data-table' },
      tableHead([t('clusterPartition'), t('clusterLeader'), t('clusterReplicas'), t('clusterIsr')]),
      h(
        'tbody',
        null,
        topic.partitions.map((p, i) =>
          h(
            'tr',
            {
              key: p.partition,
              class: `partition is-${health[i] ?? 'ok'}`,
              'data-testid': `partition-${topic.name}-${p.partition}`,
              'data-health': health[i],
            },
            h('td', null, String(p.partition)),
            h(
              'td',
              null,
              p.leader < 0 ? h('span', { class: 'tag tag-error' }, t('clusterOffline')) : String(p.leader),
            ),
            h('td', null, replicaList(p.replicas, p.leader, p.isr)),
            h('td', null, p.isr.join(', ') || '—'),
          ),
        ),
      ),
    ),
  );
}

function GroupBlock(props: { group: Group }): JSX.Element {
  const { t } = useI18n();
  const { group } = props;
  return h(
    'details',
    { class: 'group', 'data-testid': `group-${group.groupId}`, 'data-state': group.state },
    h(
      'summary',
      { class: 'topic-head' },
      h('span', { class: 'topic-name' }, group.groupId),
      h('span', { class: `tag tag-state state-${group.state.toLowerCase()}` }, group.state),
      h('span', { class: 'muted' }, `${t('clusterMembers')}: ${group.members.length}`),
      h(
        'span',
        { class: group.totalLag > 0 ? 'tag tag-warn' : 'muted', 'data-testid': `group-${group.groupId}-lag` },
        t('clusterTotalLag', { n: group.totalLag }),
      ),
    ),
    group.members.length === 0
      ? h('p', { class: 'muted small' }, t('clusterNoMembers'))
      : h(
          'ul',
          { class: 'member-list' },
          group.members.map((m) =>
            h(
              'li',
              { key: m.memberId },
              h('code', null, m.clientId),
              h('span', { class: 'muted' }, ` ${m.host} `),
              m.assignments.map((a) => `${a.topic}[${a.partitions.join(',')}]`).join(' '),
            ),
          ),
        ),
    group.offsets.length === 0
      ? null
      : h(
          'table',
          { class: 'data-table' },
          tableHead([
            t('clusterTopics'),
            t('clusterPartition'),
            t('clusterCommitted'),
            t('clusterEnd'),
            t('clusterLag'),
          ]),
          h(
            'tbody',
            null,
            group.offsets.map((o) =>
              h(
                'tr',
                { key: `${o.topic}-${o.partition}` },
                h('td', null, o.topic),
                h('td', null, String(o.partition)),
                h('td', null, String(o.committed)),
                h('td', null, o.end === null ? '—' : String(o.end)),
                h(
                  'td',
                  { class: o.lag !== null && o.lag > 0 ? 'lag-positive' : '' },
                  o.lag === null ? '—' : String(o.lag),
                ),
              ),
            ),
          ),
        ),
  );
}

/** The live picture of the student's cluster. */
export function ClusterView(props: { socket: EnvSocket }): JSX.Element {
  const { t, lang } = useI18n();
  const [feed, setFeed] = useState<EnvFeed>(props.socket.current);
  const [showInternal, setShowInternal] = useState(false);
  useEffect(() => {
    const sub = props.socket.subscribe(setFeed);
    return () => sub.dispose();
  }, [props.socket]);

  const snapshot = feed.snapshot;
  if (snapshot === null) {
    return h(
      'div',
      { class: 'cluster', 'data-testid': 'cluster-pane', 'data-state': 'waiting' },
      feed.snapshotError === null
        ? h('p', { class: 'muted loading' }, h(Spinner, { label: '' }), t('clusterWaiting'))
        : h(
            Notice,
            { tone: 'warn', testId: 'cluster-error' },
            t('clusterError', { message: feed.snapshotError }),
          ),
    );
  }
  const down = !snapshot.brokers.some((b) => b.up);
  const topics = snapshot.topics.filter((tp) => showInternal || !(tp.internal || tp.name.startsWith('__')));
  const hidden = snapshot.topics.length - topics.length;
  const time = new Date(snapshot.at).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB');
  return h(
    'div',
    { class: 'cluster', 'data-testid': 'cluster-pane', 'data-state': down ? 'down' : 'up' },
    h(
      'div',
      { class: 'cluster-bar' },
      h('span', { class: 'muted small', 'data-testid': 'cluster-updated' }, t('clusterUpdated', { time })),
      h(
        'label',
        { class: 'toggle' },
        h('input', {
          type: 'checkbox',
          checked: showInternal,
          'data-testid': 'cluster-internal-toggle',
          onChange: (e: Event) => setShowInternal((e.currentTarget as HTMLInputElement).checked),
        }),
        ` ${t('clusterShowInternal')}${hidden > 0 ? ` (${hidden})` : ''}`,
      ),
    ),
    feed.snapshotError === null
      ? null
      : h(
          Notice,
          { tone: 'warn', testId: 'cluster-error' },
          t('clusterError', { message: feed.snapshotError }),
        ),
    down
      ? h(
          Notice,
          {
            tone: 'error',
            title: t('clusterNoBroker'),
            testId: 'cluster-down',
            details: snapshot.errors.join('\n'),
          },
          h('p', null, t('clusterNoBrokerLead')),
        )
      : null,
    snapshot.brokers.length > 0 ? h(Brokers, { snapshot }) : null,
    h(
      'section',
      { class: 'cluster-section' },
      h('h3', null, t('clusterTopics')),
      topics.length === 0
        ? h('p', { class: 'muted' }, t('clusterNoTopics'))
        : h(
            'div',
            { class: 'topic-list', 'data-testid': 'cluster-topics' },
            topics.map((tp) => h(TopicBlock, { key: tp.name, topic: tp })),
          ),
    ),
    h(
      'section',
      { class: 'cluster-section' },
      h('h3', null, t('clusterGroups')),
      snapshot.groups.length === 0
        ? h('p', { class: 'muted' }, t('clusterNoGroups'))
        : h(
            'div',
            { class: 'group-list' },
            snapshot.groups.map((g) => h(GroupBlock, { key: g.groupId, group: g })),
          ),
    ),
    !down && snapshot.errors.length > 0
      ? h(Notice, { tone: 'warn', details: snapshot.errors.join('\n') }, h('p', null, snapshot.errors[0]))
      : null,
  );
}

/** A table header row of column titles. */
function tableHead(titles: string[]): JSX.Element {
  return h(
    'thead',
    null,
    h(
      'tr',
      null,
      titles.map((title) => h('th', { scope: 'col' }, title)),
    ),
  );
}
