/**
 * Why a cluster check failed: each server's `kafkalab-agent diagnose` reads its own Kafka files
 * and processes; this module adds what only a comparison shows (one broker.id on two servers,
 * differing chroots), picks the cause per server, and words it with the file and line it was
 * seen in and how to recover, in both languages.
 */
import type { Cause } from '../../agent/causes.ts';
import type { DiagnoseDoc, Finding } from '../../agent/types.ts';
import type { ClusterAgent } from '../cluster/ClusterAgent.ts';
import { NODES, type NodeName } from '../env/EnvironmentBackend.ts';
import type { Bilingual, CheckExercise } from '../labs/model.ts';
import type { CheckResult } from './registry.ts';

/** One diagnosed cause on one server. */
export interface Diagnosis extends Finding {
  readonly node: NodeName;
}

/** Check types whose failure can come from a broker that does not run. */
export const CLUSTER_CHECK_TYPES: ReadonlySet<string> = new Set([
  'kafka.brokers',
  'kafka.topic',
  'kafka.messages',
  'kafka.group',
  'zk.path',
  'broker.config',
]);

/** Most specific first: when a server shows several, the first is the one to fix. */
const PRIORITY: readonly Cause[] = [
  'not-installed',
  'meta-properties-mismatch',
  'duplicate-broker-id',
  'cluster-id-mismatch',
  'port-in-use',
  'log-dir-unusable',
  'heap-too-large',
  'wrong-chroot',
  'zookeeper-unreachable',
  'never-started',
];

/** How long one server's diagnosis may take (it only reads local files). */
const DIAGNOSE_TIMEOUT_MS = 5000;

/**
 * Diagnoses every server at once; a server that cannot be asked is left out (the check's own
 * message already says what it found). Resolves [] when every broker runs as it should.
 */
export async function diagnoseCluster(cluster: ClusterAgent, signal?: AbortSignal): Promise<Diagnosis[]> {
  const docs = await Promise.all(
    NODES.map(async (node) => {
      try {
        const doc = await cluster.diagnose({
          node,
          timeoutMs: DIAGNOSE_TIMEOUT_MS,
          ...(signal ? { signal } : {}),
        });
        return { node, doc };
      } catch {
        return undefined;
      }
    }),
  );
  return analyse(docs.filter((d) => d !== undefined));
}

/** The causes per server from their documents: the pure part of `diagnoseCluster`. */
export function analyse(docs: ReadonlyArray<{ node: NodeName; doc: DiagnoseDoc }>): Diagnosis[] {
  const found: Diagnosis[] = [];
  const chroots = docs.map((d) => chrootOf(d.doc.config?.zookeeperConnect?.value));
  const usual = mostCommon(chroots.filter((c) => c !== undefined));
  for (const [i, { node, doc }] of docs.entries()) {
    const mine: Finding[] = doc.brokerRunning ? [] : [...doc.findings];
    const config = doc.config;
    const id = config?.brokerId;
    if (config && id && !mine.some((f) => f.cause === 'duplicate-broker-id')) {
      const twin = docs.find(
        (o) => o.node !== node && o.doc.brokerRunning && o.doc.config?.brokerId?.value === id.value,
      );
      if (twin && !doc.brokerRunning) {
        mine.push({
          cause: 'duplicate-broker-id',
          file: config.file,
          line: id.line,
          text: `broker.id=${id.value}, as on ${twin.node}`,
        });
      }
    }
    const chroot = chroots[i];
    if (
      config?.zookeeperConnect &&
      chroot !== undefined &&
      usual !== undefined &&
      chroot !== usual &&
      docs.length > 2
    ) {
      mine.push({
        cause: 'wrong-chroot',
        file: config.file,
        line: config.zookeeperConnect.line,
        text: `zookeeper.connect uses ${chroot || '/'}; the others use ${usual || '/'}`,
      });
    }
    const best = PRIORITY.map((cause) => mine.filter((f) => f.cause === cause)).find((fs) => fs.length > 0);
    if (best === undefined) continue;
    // A log line is better evidence than a setting; keep the setting too when both exist.
    const logged = best.find((f) => f.file.includes('/logs/')) ?? best[0];
    if (logged) found.push({ ...logged, node });
  }
  return found;
}

/** The chroot of a zookeeper.connect value ('' for none), or undefined when unset. */
function chrootOf(connect: string | undefined): string | undefined {
  if (connect === undefined) return undefined;
  const slash = connect.indexOf('/');
  return slash < 0 ? '' : connect.slice(slash).replace(/\/+$/, '');
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  for (const [v, n] of counts) if (best === undefined || n > (counts.get(best) ?? 0)) best = v;
  return best !== undefined && (counts.get(best) ?? 0) > values.length / 2 ? best : undefined;
}

/** Where a finding was seen, as a clause: "（见 file 第 n 行）" / " (file, line n)". */
function where(d: Diagnosis): Bilingual {
  return d.line === null
    ? { zh: `（见 ${d.file}）`, en: ` (see ${d.file})` }
    : { zh: `（见 ${d.file} 第 ${d.line} 行）`, en: ` (${d.file}, line ${d.line})` };
}

/** One server's cause, worded with its evidence and how to recover. */
export function describeDiagnosis(d: Diagnosis): Bilingual {
  const w = where(d);
  const n = d.node;
  switch (d.cause) {
    case 'meta-properties-mismatch':
      return {
        zh: `${n} 上的 broker 起不来：log.dirs 里的 meta.properties 还记着上一次启动时的 broker.id，和现在 server.properties 里的不一致${w.zh}。这台 broker 还没有要保留的数据：删掉 log.dirs 里的 meta.properties，再启动一次。`,
        en: `The broker on ${n} stops at start: meta.properties in its log.dirs still records the broker.id of an earlier start, which differs from server.properties now${w.en}. This broker has no data worth keeping yet: remove meta.properties from log.dirs and start it again.`,
      };
    case 'duplicate-broker-id':
      return {
        zh: `${n} 上的 broker 起不来：它的 broker.id 已经被另一台 broker 用了${w.zh}。每台 broker 的 broker.id 必须不同：改好 server.properties，删掉 log.dirs 里上次失败的启动写下的 meta.properties，再启动。`,
        en: `The broker on ${n} stops at start: another broker already uses its broker.id${w.en}. Every broker needs its own broker.id: fix server.properties, remove the meta.properties the failed start wrote in log.dirs, then start it again.`,
      };
    case 'cluster-id-mismatch':
      return {
        zh: `${n} 上的 broker 起不来：log.dirs 里的 meta.properties 属于另一个集群，通常是 zookeeper.connect 改过${w.zh}。把 zookeeper.connect 改回原样；或者删掉 meta.properties，让它加入现在这个集群。`,
        en: `The broker on ${n} stops at start: the meta.properties in its log.dirs belongs to another cluster, usually after zookeeper.connect changed${w.en}. Put zookeeper.connect back, or remove meta.properties to join the cluster it points at now.`,
      };
    case 'port-in-use':
      return {
        zh: `${n} 上的 broker 起不来：它的端口被别的进程占用了${w.zh}。用 ss -ltnp 找到那个进程并停掉它，再启动 broker。`,
        en: `The broker on ${n} stops at start: another process holds its port${w.en}. Find that process with ss -ltnp, stop it, then start the broker.`,
      };
    case 'zookeeper-unreachable':
      return {
        zh: `${n} 上的 broker 等不到 ZooKeeper，自己退出了${w.zh}。检查 server.properties 里的 zookeeper.connect，并用 zkServer.sh status 看 ZooKeeper 是否在运行。`,
        en: `The broker on ${n} gave up waiting for ZooKeeper${w.en}. Check zookeeper.connect in server.properties, and whether ZooKeeper runs with zkServer.sh status.`,
      };
    case 'wrong-chroot':
      return {
        zh: `${n} 上 zookeeper.connect 末尾的根路径（chroot）和另外两台不同${w.zh}，它注册到了别的地方。三台要写成一样的，例如都以 /kafka 结尾。`,
        en: `On ${n}, zookeeper.connect ends in another root (chroot) than on the other servers${w.en}, so the broker registers somewhere else. Make the three the same, for example all ending in /kafka.`,
      };
    case 'log-dir-unusable':
      return {
        zh: `${n} 上 log.dirs 指向的目录不能用：${d.text}${w.zh}。用 mkdir -p 建好目录，或者改正路径。`,
        en: `On ${n}, the folder in log.dirs cannot be used: ${d.text}${w.en}. Create it with mkdir -p, or fix the path.`,
      };
    case 'heap-too-large':
      return {
        zh: `${n} 上 JVM 的堆内存设得比这台服务器的内存还大：${d.text}${w.zh}。把 KAFKA_HEAP_OPTS 里的 -Xmx 调小（例如 -Xmx256m），再启动。`,
        en: `On ${n}, the JVM's heap is larger than this server's memory: ${d.text}${w.en}. Lower -Xmx in KAFKA_HEAP_OPTS (for example -Xmx256m) and start again.`,
      };
    case 'never-started':
      return {
        zh: `${n} 上的 broker 还从没启动过${w.zh}。在 ${n} 上运行 kafka-server-start.sh -daemon $KAFKA_HOME/config/server.properties。`,
        en: `The broker on ${n} was never started${w.en}. Run kafka-server-start.sh -daemon $KAFKA_HOME/config/server.properties on ${n}.`,
      };
    case 'not-installed':
      return {
        zh: `${n} 上还没有安装 Kafka（/opt/apps 下没有 kafka 目录）。用 scp -r 把 bigdata01 上的 /opt/apps/kafka 复制过去。`,
        en: `Kafka is not installed on ${n} yet (no kafka folder under /opt/apps). Copy /opt/apps/kafka over from bigdata01 with scp -r.`,
      };
  }
}

/** The diagnoses appended to a check's message, one sentence group per server. */
export function withDiagnoses(message: Bilingual, diagnoses: readonly Diagnosis[]): Bilingual {
  if (diagnoses.length === 0) return message;
  const parts = diagnoses.map(describeDiagnosis);
  return {
    zh: `${message.zh}\n原因：${parts.map((p) => p.zh).join('\n')}`,
    en: `${message.en}\nWhy: ${parts.map((p) => p.en).join('\n')}`,
  };
}

/** A check's result with the causes diagnosed when it failed. */
export type DiagnosedResult = CheckResult & { readonly causes?: readonly Cause[] };

/**
 * When a cluster check did not pass, asks the servers why and appends what they say. A check
 * that passed, or one that is not about the cluster, is returned as it is.
 */
export async function explainFailure(
  exercise: CheckExercise,
  result: CheckResult,
  cluster: ClusterAgent,
): Promise<DiagnosedResult> {
  if (result.status === 'pass' || !CLUSTER_CHECK_TYPES.has(exercise.type)) return result;
  const started = Date.now();
  const diagnoses = await diagnoseCluster(cluster);
  if (diagnoses.length === 0) return result;
  return {
    ...result,
    message: withDiagnoses(result.message, diagnoses),
    causes: [...new Set(diagnoses.map((d) => d.cause))],
    durationMs: result.durationMs + (Date.now() - started),
  };
}
