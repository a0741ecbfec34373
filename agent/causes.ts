/**
 * Why a broker does not run, as the diagnosis names it. Shared by the agent (which finds the
 * evidence), the server (which words the message) and lab files (hints tied to a cause).
 */
export const CAUSES = [
  /** Two brokers were given the same broker.id. */
  'duplicate-broker-id',
  /** meta.properties in log.dirs records another broker.id than server.properties. */
  'meta-properties-mismatch',
  /** meta.properties records another cluster than the one in ZooKeeper (often a changed chroot). */
  'cluster-id-mismatch',
  /** Another process holds the broker's port. */
  'port-in-use',
  /** The broker gave up waiting for ZooKeeper. */
  'zookeeper-unreachable',
  /** zookeeper.connect points at another root (chroot) than the other brokers'. */
  'wrong-chroot',
  /** log.dirs cannot be created or written. */
  'log-dir-unusable',
  /** The JVM's heap does not fit the server's memory. */
  'heap-too-large',
  /** Kafka is installed but its broker was never started. */
  'never-started',
  /** There is no Kafka installation on the server. */
  'not-installed',
] as const;

/** One of CAUSES. */
export type Cause = (typeof CAUSES)[number];
