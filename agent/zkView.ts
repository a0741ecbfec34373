/**
 * Kafka's state as ZooKeeper holds it in ZooKeeper mode: broker registrations under
 * `<chroot>/brokers/ids`, the controller in `<chroot>/controller`, replica assignments under
 * `<chroot>/brokers/topics`. Used when brokers do not answer, and to name brokers that are down.
 */
import type { ZkReader } from './zk.ts';

/** A broker as registered in ZooKeeper; host and port are null when the JSON lacks them. */
export interface ZkBroker {
  id: number;
  host: string | null;
  port: number | null;
}

/**
 * Reads a registration such as
 * `{"endpoints":["PLAINTEXT://bigdata01:9092"],"host":"bigdata01","port":9092,...}`.
 * host/port are only written for a PLAINTEXT listener, so the first endpoint is the fallback.
 */
export function parseBrokerRegistration(id: number, data: Buffer | null): ZkBroker {
  let json: unknown;
  try {
    json = JSON.parse(data?.toString('utf8') ?? 'null');
  } catch {
    return { id, host: null, port: null };
  }
  if (typeof json !== 'object' || json === null) return { id, host: null, port: null };
  const reg = json as { host?: unknown; port?: unknown; endpoints?: unknown };
  if (typeof reg.host === 'string' && reg.host !== '' && typeof reg.port === 'number' && reg.port > 0) {
    return { id, host: reg.host, port: reg.port };
  }
  const first = Array.isArray(reg.endpoints) ? (reg.endpoints[0] as unknown) : undefined;
  const m = typeof first === 'string' ? /^[^:]+:\/\/\[?([^\]]*?)\]?:(\d+)$/.exec(first) : null;
  if (m?.[1] !== undefined && m[2] !== undefined) return { id, host: m[1] || null, port: Number(m[2]) };
  return { id, host: null, port: null };
}

/** Every registered broker, sorted by id; empty when Kafka never ran (no chroot yet). */
export async function readBrokerRegistrations(zk: ZkReader, chroot: string): Promise<ZkBroker[]> {
  const base = `${chroot}/brokers/ids`;
  const ids = ((await zk.children(base)) ?? []).map(Number).filter((n) => Number.isInteger(n));
  // Requests are pipelined on one socket, so reading all registrations costs one round trip.
  const regs = await Promise.all(
    ids.map(async (id) => {
      const node = await zk.get(`${base}/${id}`);
      // A broker that stopped between the two calls is simply not registered any more.
      return node === null ? null : parseBrokerRegistration(id, node.data);
    }),
  );
  return regs.filter((r): r is ZkBroker => r !== null).sort((a, b) => a.id - b.id);
}

/** Registered broker ids only, sorted: what `ready` counts. */
export async function readBrokerIds(zk: ZkReader, chroot: string): Promise<number[]> {
  const ids = (await zk.children(`${chroot}/brokers/ids`)) ?? [];
  return ids
    .map(Number)
    .filter((n) => Number.isInteger(n))
    .sort((a, b) => a - b);
}

/** The active controller's broker id, or null when none is elected. */
export async function readControllerId(zk: ZkReader, chroot: string): Promise<number | null> {
  const node = await zk.get(`${chroot}/controller`);
  if (node?.data == null) return null;
  try {
    const json = JSON.parse(node.data.toString('utf8')) as { brokerid?: unknown };
    return typeof json.brokerid === 'number' ? json.brokerid : null;
  } catch {
    return null;
  }
}

/**
 * Broker ids named in any topic's replica assignment (`{"partitions":{"0":[1,2,3]}}`): how the
 * agent still knows brokers 1..3 exist after all of them stopped cleanly and deregistered.
 */
export async function readAssignedBrokerIds(zk: ZkReader, chroot: string): Promise<number[]> {
  const base = `${chroot}/brokers/topics`;
  const topics = (await zk.children(base)) ?? [];
  const ids = new Set<number>();
  await Promise.all(
    topics.map(async (topic) => {
      const node = await zk.get(`${base}/${topic}`);
      for (const id of parseAssignment(node?.data ?? null)) ids.add(id);
    }),
  );
  return [...ids].sort((a, b) => a - b);
}

/** Replica ids from a topic znode's JSON; [] for anything unexpected. */
export function parseAssignment(data: Buffer | null): number[] {
  try {
    const json = JSON.parse(data?.toString('utf8') ?? 'null') as { partitions?: unknown };
    if (typeof json.partitions !== 'object' || json.partitions === null) return [];
    return Object.values(json.partitions as Record<string, unknown>)
      .flatMap((replicas) => (Array.isArray(replicas) ? (replicas as unknown[]) : []))
      .filter((id): id is number => typeof id === 'number');
  } catch {
    return [];
  }
}

/** Whether ZooKeeper knows the topic: the source of truth while brokers' caches catch up. */
export async function topicRegistered(zk: ZkReader, chroot: string, topic: string): Promise<boolean> {
  return (await zk.exists(`${chroot}/brokers/topics/${topic}`)) !== null;
}
