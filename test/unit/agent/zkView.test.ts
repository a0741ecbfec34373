import { describe, expect, it } from 'vitest';
import type { ZkStat } from '../../../agent/wire/jute.ts';
import type { ZkReader } from '../../../agent/zk.ts';
import {
  parseAssignment,
  parseBrokerRegistration,
  readAssignedBrokerIds,
  readBrokerIds,
  readBrokerRegistrations,
  readControllerId,
} from '../../../agent/zkView.ts';

const STAT: ZkStat = {
  czxid: 0n,
  mzxid: 0n,
  ctime: 0,
  mtime: 0,
  version: 0,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 0,
  numChildren: 0,
  pzxid: 0n,
};

/** An in-memory znode tree; a node listed in `vanishing` disappears between ls and get. */
class TreeZk implements ZkReader {
  constructor(
    private readonly nodes: Record<string, string | null>,
    private readonly vanishing: string[] = [],
  ) {}

  children(path: string): Promise<string[] | null> {
    if (!(path in this.nodes)) return Promise.resolve(null);
    const prefix = `${path}/`;
    const names = Object.keys(this.nodes)
      .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
      .map((p) => p.slice(prefix.length));
    return Promise.resolve(names);
  }

  get(path: string): Promise<{ data: Buffer | null; stat: ZkStat } | null> {
    if (!(path in this.nodes) || this.vanishing.includes(path)) return Promise.resolve(null);
    const data = this.nodes[path];
    return Promise.resolve({ data: data == null ? null : Buffer.from(data), stat: STAT });
  }

  exists(path: string): Promise<ZkStat | null> {
    return Promise.resolve(path in this.nodes ? STAT : null);
  }
}

const REG = (host: string, port: number): string =>
  JSON.stringify({ endpoints: [`PLAINTEXT://${host}:${port}`], host, port, version: 5 });

describe('parseBrokerRegistration', () => {
  it('reads host and port', () => {
    expect(parseBrokerRegistration(1, Buffer.from(REG('bigdata01', 9092)))).toEqual({
      id: 1,
      host: 'bigdata01',
      port: 9092,
    });
  });

  it('falls back to the first endpoint when host/port are absent (non-PLAINTEXT listener)', () => {
    const json = JSON.stringify({ endpoints: ['SASL_PLAINTEXT://bigdata02:9093'], host: null, port: -1 });
    expect(parseBrokerRegistration(2, Buffer.from(json))).toEqual({ id: 2, host: 'bigdata02', port: 9093 });
  });

  it('gives nulls for missing or unreadable data', () => {
    expect(parseBrokerRegistration(3, null)).toEqual({ id: 3, host: null, port: null });
    expect(parseBrokerRegistration(3, Buffer.from('{nope'))).toEqual({ id: 3, host: null, port: null });
  });
});

describe('reading Kafka state from ZooKeeper', () => {
  const zk = new TreeZk(
    {
      '/kafka': null,
      '/kafka/brokers/ids': null,
      '/kafka/brokers/ids/3': REG('bigdata03', 9092),
      '/kafka/brokers/ids/1': REG('bigdata01', 9092),
      '/kafka/brokers/ids/2': REG('bigdata02', 9092),
      '/kafka/controller': '{"version":2,"brokerid":3,"timestamp":"1"}',
      '/kafka/brokers/topics': null,
      '/kafka/brokers/topics/orders': '{"partitions":{"0":[1,2],"1":[2,4]},"version":3}',
      '/kafka/brokers/topics/weird': 'not json',
    },
    ['/kafka/brokers/ids/2'],
  );

  it('lists registrations sorted, skipping a broker that deregistered in between', async () => {
    expect((await readBrokerRegistrations(zk, '/kafka')).map((r) => r.id)).toEqual([1, 3]);
    expect(await readBrokerIds(zk, '/kafka')).toEqual([1, 2, 3]);
  });

  it('is empty before Kafka ever ran (no chroot yet)', async () => {
    expect(await readBrokerRegistrations(zk, '/other')).toEqual([]);
    expect(await readControllerId(zk, '/other')).toBeNull();
  });

  it('reads the controller id', async () => {
    expect(await readControllerId(zk, '/kafka')).toBe(3);
  });

  it('collects broker ids from replica assignments', async () => {
    expect(await readAssignedBrokerIds(zk, '/kafka')).toEqual([1, 2, 4]);
    expect(parseAssignment(null)).toEqual([]);
  });
});
