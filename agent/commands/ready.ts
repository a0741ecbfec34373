/**
 * `ready --brokers N`: waits, phase by phase, until the cluster can really carry a message, and
 * prints a JSON line per step so the boot screen can show progress:
 *   zookeeper -> brokers k/N registered -> controller elected -> produce+consume round trip.
 * The round trip also creates __consumer_offsets now, so the student's first consumer does not
 * pay for it. It leaves nothing else behind: its topic and group are deleted afterwards, so
 * `kafka-topics.sh --list` shows only what the student made.
 */
import type { Kafka } from 'kafkajs';
import type { HostPort } from '../args.ts';
import { LiveCluster } from '../cluster.ts';
import type { CommandContext, CommandOutcome } from '../command.ts';
import { withTimeout, type Deadline } from '../deadline.ts';
import { AgentError, messageOf } from '../errors.ts';
import { AGENT_GROUP_PREFIX, createKafka } from '../kafka.ts';
import { ZkClient } from '../zk.ts';
import type { MetadataResponse } from '../wire/kafkaProtocol.ts';
import { readBrokerRegistrations, readControllerId, type ZkBroker } from '../zkView.ts';

/**
 * The prefix of the round trip's topic. Each run uses a topic of its own (a deleted topic's name
 * stays taken until the controller finishes deleting it) and deletes it afterwards, with any a
 * crashed run left behind; "__" keeps it out of the live picture while it exists.
 */
export const HEALTH_TOPIC_PREFIX = '__kafkalab_health';

/** The round trip's consumer group, named by the contract (and deleted after use). */
export const READY_GROUP = AGENT_GROUP_PREFIX;

/** One consumer attempt's cap; a stuck attempt is replaced rather than waited on forever. */
const ATTEMPT_MS = 15_000;

/** Between polls: often enough for a snappy boot screen, rare enough to be no load. */
const POLL_MS = 300;

/** What ready is waiting for when time runs out. */
interface Waiting {
  phase: string;
  error: string;
  missing: string[];
}

/**
 * Bootstrap addresses no registered broker advertises: the hosts a student should look at.
 * Matches on host:port, so it is exact when brokers advertise the names --bootstrap uses.
 */
export function missingHosts(bootstrap: readonly HostPort[], registered: readonly ZkBroker[]): string[] {
  const seen = new Set(registered.map((r) => `${r.host ?? ''}:${r.port ?? ''}`));
  return bootstrap.map((b) => `${b.host}:${b.port}`).filter((a) => !seen.has(a));
}

/**
 * Calls `attempt` every POLL_MS until it returns a value other than undefined. Errors count as
 * "not yet" and are remembered for the final message; the deadline ends the wait.
 */
export async function pollUntil<T>(
  deadline: Deadline,
  attempt: () => Promise<T | undefined>,
  onError: (err: unknown) => void,
  intervalMs = POLL_MS,
): Promise<T> {
  for (;;) {
    try {
      const value = await deadline.race(attempt(), 'waiting');
      if (value !== undefined) return value;
    } catch (err) {
      // The deadline cutting an attempt short says nothing about the cluster; keep the last
      // real reason for the final message instead.
      if (!deadline.expired()) onError(err);
    }
    if (deadline.expired()) throw new AgentError('timeout', 'deadline reached');
    await deadline.sleep(intervalMs);
  }
}

/** Keeps one ZooKeeper session across polls, opening a new one when it breaks. */
class ZkSession {
  private client: ZkClient | null = null;

  constructor(
    private readonly servers: readonly HostPort[],
    private readonly deadline: Deadline,
  ) {}

  async get(): Promise<ZkClient> {
    if (this.client === null || this.client.broken) {
      this.client = await ZkClient.connect(this.servers, {
        connectTimeoutMs: this.deadline.budget(1000),
        requestTimeoutMs: this.deadline.budget(3000),
      });
    }
    return this.client;
  }

  async close(): Promise<void> {
    await this.client?.close();
  }
}

/** Runs `ready`. Exit 0 after `{"ready":true}`, 1 after `{"ready":false,...}`. */
export async function readyCommand(
  command: { name: 'ready'; brokers: number },
  ctx: CommandContext,
): Promise<CommandOutcome> {
  const { options, deadline } = ctx;
  const total = command.brokers;
  const waiting: Waiting = {
    phase: 'zookeeper',
    error: 'no ZooKeeper server answered',
    missing: options.zookeeper.map((z) => `${z.host}:${z.port}`),
  };
  const notReady = (): Record<string, unknown> => ({
    ready: false,
    phase: waiting.phase,
    error: waiting.error,
    missing: waiting.missing,
  });
  ctx.onKill(notReady);
  const remember = (err: unknown): void => {
    waiting.error = messageOf(err);
  };
  const zk = new ZkSession(options.zookeeper, deadline);
  ctx.defer(() => zk.close());

  try {
    await pollUntil(deadline, () => zk.get().then(() => true), remember);
    ctx.emit({ phase: 'zookeeper', ok: true });

    Object.assign(waiting, { phase: 'brokers', error: `fewer than ${total} brokers registered` });
    // Brokers in KRaft mode (after the kraft lab's migration) register with the controller
    // quorum, not in ZooKeeper: when ZooKeeper shows fewer than expected, the brokers' own
    // metadata counts too. In ZooKeeper mode it never shows more than ZooKeeper does.
    const live = new LiveCluster(options, deadline);
    ctx.defer(() => live.close());
    const kraftView = (): Promise<MetadataResponse | undefined> => live.metadata([]).catch(() => undefined);
    let lastCount = -1;
    await pollUntil(
      deadline,
      async () => {
        let registered = await readBrokerRegistrations(await zk.get(), options.chroot);
        if (registered.length < total) {
          const meta = await kraftView();
          if (meta && meta.brokers.length > registered.length)
            registered = meta.brokers.map((b) => ({ id: b.nodeId, host: b.host, port: b.port }));
        }
        if (registered.length !== lastCount) {
          lastCount = registered.length;
          ctx.emit({ phase: 'brokers', done: registered.length, total });
        }
        waiting.missing = missingHosts(options.bootstrap, registered);
        waiting.error = `${registered.length} of ${total} brokers registered`;
        return registered.length >= total ? true : undefined;
      },
      remember,
    );

    Object.assign(waiting, { phase: 'controller', error: 'no controller elected', missing: [] });
    const controller = await pollUntil(
      deadline,
      async () => {
        const id = await readControllerId(await zk.get(), options.chroot);
        if (id !== null) return id;
        // A finalized KRaft cluster has no controller znode; its brokers name one.
        const meta = await kraftView();
        return meta && meta.controllerId >= 0 ? meta.controllerId : undefined;
      },
      remember,
    );
    ctx.emit({ phase: 'controller', id: controller });

    Object.assign(waiting, { phase: 'roundtrip', error: 'no message made the round trip' });
    const ms = await roundTrip(ctx, total, remember);
    ctx.emit({ phase: 'roundtrip', ok: true, ms });
    return { doc: { ready: true } };
  } catch (err) {
    if (!(err instanceof AgentError && err.code === 'timeout')) remember(err);
    return { doc: notReady(), exitCode: 1 };
  }
}

/**
 * Ensures the health topic exists, produces one unique message and consumes it back, retrying
 * each step until it works: right after the brokers register, topic creation, leader election
 * and the offsets topic's creation all have windows where they fail harmlessly.
 */
async function roundTrip(
  ctx: CommandContext,
  brokers: number,
  remember: (err: unknown) => void,
): Promise<number> {
  const { deadline } = ctx;
  const cluster = new LiveCluster(ctx.options, deadline);
  ctx.defer(() => cluster.close());
  const meta = await pollUntil(deadline, () => cluster.metadata(null), remember);
  const kafka = createKafka(cluster.liveBrokers, deadline);
  const topic = `${HEALTH_TOPIC_PREFIX}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const leftovers = meta.topics.map((t) => t.name).filter((n) => n.startsWith(HEALTH_TOPIC_PREFIX));
  ctx.defer(async () => {
    // Best effort: a failed deletion leaves a hidden "__" topic that the next run removes.
    await cluster.deleteTopics([...leftovers, topic], 5000).catch(() => undefined);
  });

  await pollUntil(
    deadline,
    async () => {
      // false means it already existed, which is just as good.
      await cluster.createTopic(
        { name: topic, partitions: 1, replicationFactor: Math.min(brokers, 3) },
        deadline.budget(5000),
      );
      return true;
    },
    remember,
  );

  const token = `ready-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    retry: { retries: 3, initialRetryTime: 150 },
  });
  ctx.defer(() => producer.disconnect());
  const started = Date.now();
  await pollUntil(
    deadline,
    async () => {
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: 'kafkalab', value: token }] });
      return true;
    },
    remember,
  );

  ctx.defer(async () => {
    // The group did its job (creating __consumer_offsets); students should not see it. Also
    // after a failed attempt: every attempt's consumer has left, so the group is empty.
    await cluster.deleteGroup(READY_GROUP);
  });
  await pollUntil(deadline, () => consumeToken(kafka, topic, token, deadline).then(() => true), remember);
  return Date.now() - started;
}

/** One consumer attempt: joins READY_GROUP, reads `topic` until `token` shows up, leaves. */
async function consumeToken(kafka: Kafka, topic: string, token: string, deadline: Deadline): Promise<void> {
  const consumer = kafka.consumer({
    groupId: READY_GROUP,
    allowAutoTopicCreation: false,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 250,
    retry: { retries: 3, initialRetryTime: 200, restartOnFailure: () => Promise.resolve(false) },
  });
  try {
    const seen = new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.CRASH, (event) => reject(event.payload.error));
      consumer
        .connect()
        .then(() => consumer.subscribe({ topics: [topic], fromBeginning: true }))
        .then(() =>
          consumer.run({
            eachMessage: ({ message }) => {
              if (message.value?.toString('utf8') === token) resolve();
              return Promise.resolve();
            },
          }),
        )
        .catch(reject);
    });
    // One attempt may take most of the budget: joining a group on a fresh cluster waits for
    // __consumer_offsets to be created and its 50 partitions to get leaders.
    await withTimeout(
      seen,
      deadline.budget(ATTEMPT_MS),
      () => new Error('the health message did not come back yet'),
    );
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
