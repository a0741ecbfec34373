// The real app for UI work without Docker: createApp with the real labs, renderer, store and API,
// over the in-memory environments of the unit tests (boots in a few seconds, echo shells, files).
//   node --import tsx web/dev/devServer.ts [port]        (default 5174; build the app first: npx vite build)
// Knobs: KAFKALAB_DEV_BOOT=ok|fail|never, KAFKALAB_DEV_BOOT_MS (default 3000), KAFKALAB_DEV_ENGINE=down.
import path from 'node:path';
import { pino } from 'pino';
import { checkTypes } from '../../server/checks/registry.ts';
import { createEnvServices } from '../../server/services.ts';
import type { EnvRef, ExecOptions, ExecResult, NodeName } from '../../server/env/EnvironmentBackend.ts';
import { AppError } from '../../server/errors.ts';
import type { ClusterSnapshot } from '../../server/http/apiTypes.ts';
import { Accounts } from '../../server/auth/Accounts.ts';
import { createApp } from '../../server/http/app.ts';
import { loadCourse } from '../../server/labs/loader.ts';
import { projectPaths } from '../../server/paths.ts';
import type { Progress } from '../../server/progress.ts';
import { SqliteStore } from '../../server/store/Store.ts';
import { InMemoryNodes, InstantBackend } from '../../server/env/InMemoryEnvironments.ts';

const port = Number(process.argv[2] ?? 5174);
const bootMs = Number(process.env.KAFKALAB_DEV_BOOT_MS ?? 3000);
const boot = process.env.KAFKALAB_DEV_BOOT ?? 'ok';

/** Walks through the real boot phases over `bootMs`; fails or hangs on request. */
class DevBackend extends InstantBackend {
  protected override async boot(id: string, progress: Progress): Promise<void> {
    const pause = (): Promise<void> => new Promise((r) => setTimeout(r, bootMs / 8));
    for (let n = 1; n <= 3; n++) {
      await pause();
      progress({ phase: 'zookeeper', message: `ZooKeeper ${n}/3 in the quorum`, done: n, total: 3 });
    }
    if (boot === 'never') return new Promise(() => undefined);
    for (let n = 1; n <= 3; n++) {
      await pause();
      if (boot === 'fail' && n === 3) {
        throw new AppError(
          504,
          'brokers_not_ready',
          'Kafka did not become ready: bigdata03 (broker 3, not running)',
          {
            details:
              '--- bigdata03: tail of the broker log ---\nERROR Timed out waiting for connection to ZooKeeper',
          },
        );
      }
      progress({ phase: 'brokers', message: `brokers ${n}/3 registered`, done: n, total: 3 });
    }
    progress({ phase: 'controller', message: `controller elected: broker 1 (${id})` });
    progress({ phase: 'roundtrip', message: 'produce/consume round trip ok (12 ms)' });
  }
}

/** Servers whose agent shows a healthy cluster in ready mode and no brokers in install mode. */
class DevNodes extends InMemoryNodes {
  constructor(private readonly envs: DevBackend) {
    super(envs);
    this.files.set('bigdata02:/root/producer.js', Buffer.from("const { Kafka } = require('kafkajs');\n"));
    this.files.set('bigdata01:/opt/soft/kafka_2.13-3.9.2.tgz', Buffer.from([0x1f, 0x8b, 0, 0]));
  }

  override async exec(
    ref: EnvRef,
    node: NodeName,
    argv: readonly string[],
    opts?: ExecOptions,
  ): Promise<ExecResult> {
    const env = await this.envs.status(ref);
    this.agent.snapshot = snapshot(env?.mode === 'ready');
    return super.exec(ref, node, argv, opts);
  }
}

function snapshot(ready: boolean): ClusterSnapshot {
  const partitions = [0, 1, 2].map((p) => ({
    partition: p,
    leader: p + 1,
    replicas: [p + 1, ((p + 1) % 3) + 1, ((p + 2) % 3) + 1],
    isr: [p + 1, ((p + 1) % 3) + 1, ((p + 2) % 3) + 1],
    offline: [],
  }));
  return {
    at: new Date().toISOString(),
    brokers: ready ? [1, 2, 3].map((id) => ({ id, host: `bigdata0${id}`, port: 9092, up: true })) : [],
    controller: ready ? 1 : null,
    topics: ready
      ? [
          { name: '__consumer_offsets', internal: true, partitions },
          { name: 'orders', internal: false, partitions },
        ]
      : [],
    groups: ready
      ? [
          {
            groupId: 'order-service',
            state: 'Stable',
            protocolType: 'consumer',
            members: [
              {
                memberId: 'consumer-1',
                clientId: 'consumer-1',
                host: '/172.18.0.2',
                assignments: [{ topic: 'orders', partitions: [0, 1, 2] }],
              },
            ],
            offsets: partitions.map((p) => ({
              topic: 'orders',
              partition: p.partition,
              committed: 40,
              end: 42 + p.partition,
              lag: 2 + p.partition,
            })),
            totalLag: 9,
          },
        ]
      : [],
    errors: ready ? [] : ['no broker answered on bigdata01:9092, bigdata02:9092, bigdata03:9092'],
  };
}

const log = pino({ level: 'warn' });
const backend = new DevBackend(0);
const nodes = new DevNodes(backend);
const store = new SqliteStore(':memory:');
const { envs, terminals, grading } = createEnvServices(backend, nodes, store, log);
const course = loadCourse(path.join(projectPaths.labs), checkTypes);
const app = createApp({
  log,
  health: () =>
    Promise.resolve(
      process.env.KAFKALAB_DEV_ENGINE === 'down'
        ? {
            ok: false,
            engine: { ok: false, error: 'connect ENOENT /var/run/docker.sock' },
            images: { ok: false, image: 'kafkalab/node:latest', error: 'engine unreachable' },
            store: { ok: true },
          }
        : {
            ok: true,
            engine: { ok: true, version: 'dev' },
            images: { ok: true, image: 'kafkalab/node:latest' },
            store: { ok: true },
          },
    ),
  store,
  course: () => course,
  // The dev server is for looking at pages: name-only sign-in (KAFKALAB_AUTH=accounts to try accounts).
  accounts: new Accounts(store, {
    mode: process.env.KAFKALAB_AUTH === 'accounts' ? 'accounts' : 'open',
    baseUrl: () => `http://127.0.0.1:${port}`,
  }),
  session: { ttlMs: 24 * 3600_000, secure: false },
  envs,
  terminals,
  grading,
  webDist: projectPaths.webDist,
});
app.server.listen(port, '127.0.0.1', () =>
  console.error(`Kafka Lab dev server (in-memory environments) on http://127.0.0.1:${port}/`),
);
