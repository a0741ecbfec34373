import { describe, expect, it } from 'vitest';
import { hasStarted, maxHeapMb, parseProperties, scanLog, START_MARKER } from '../../../agent/diagnosis.ts';

const LOG = '/opt/apps/kafka/logs/server.log';

describe('scanLog', () => {
  const firstStart = [
    `[2026-12-02 07:00:00,000] INFO ${START_MARKER}`,
    '[2026-12-02 07:00:03,000] ERROR Error while creating ephemeral at /brokers/ids/1, node already exists and owner 72 does not match current session 73 (kafka.zk.KafkaZkClient$CheckedEphemeral)',
    'org.apache.zookeeper.KeeperException$NodeExistsException: KeeperErrorCode = NodeExists',
  ];
  const secondStart = [
    `[2026-12-02 07:05:00,000] INFO ${START_MARKER}`,
    '[2026-12-02 07:05:01,000] ERROR Exiting Kafka due to fatal exception during startup. (kafka.Kafka$)',
    "java.lang.RuntimeException: Stored node id 1 doesn't match previous node id 2 in /opt/data/kafka/meta.properties. If you moved your data, make sure your configured node id matches.",
  ];

  it('names the cause of the last start only, with the line it was seen on', () => {
    const findings = scanLog(LOG, [...firstStart, ...secondStart].join('\n'));
    expect(findings).toEqual([
      expect.objectContaining({ cause: 'meta-properties-mismatch', file: LOG, line: 6 }),
    ]);
    expect(findings[0]?.text).toContain('Stored node id 1');
  });

  it('keeps the latest line per cause, offset by where the read began', () => {
    const findings = scanLog(LOG, firstStart.join('\n'), 101);
    expect(findings).toEqual([expect.objectContaining({ cause: 'duplicate-broker-id', line: 103 })]);
  });

  it('finds a port in use, an unreachable ZooKeeper and an unusable log dir', () => {
    const text = [
      START_MARKER,
      'org.apache.kafka.common.KafkaException: Socket server failed to bind to 0.0.0.0:9092: Address already in use.',
      'kafka.zookeeper.ZooKeeperClientTimeoutException: Timed out waiting for connection while in state: CONNECTING',
      'ERROR Failed to create or validate data directory /opt/data/kafka (kafka.log.LogManager)',
    ].join('\n');
    expect(scanLog(LOG, text).map((f) => f.cause)).toEqual([
      'port-in-use',
      'zookeeper-unreachable',
      'log-dir-unusable',
    ]);
  });

  it('reads a JVM that could not start from its console output, which has no start marker', () => {
    const out =
      'Error occurred during initialization of VM\nCould not reserve enough space for 4194304KB object heap';
    expect(scanLog('/opt/apps/kafka/logs/kafkaServer.out', out, 1, false)).toEqual([
      expect.objectContaining({ cause: 'heap-too-large', line: 2 }),
    ]);
    expect(hasStarted(out)).toBe(false);
  });

  it('finds nothing in a healthy log', () => {
    expect(
      scanLog(LOG, `${START_MARKER}\nINFO [KafkaServer id=1] started (kafka.server.KafkaServer)`),
    ).toEqual([]);
  });
});

describe('parseProperties', () => {
  it('keeps the last assignment of a key with its line, skipping comments', () => {
    const props = parseProperties('# broker.id=9\nbroker.id=1\nlog.dirs = /opt/data/kafka\nbroker.id=2\n');
    expect(props.get('broker.id')).toEqual({ value: '2', line: 4 });
    expect(props.get('log.dirs')).toEqual({ value: '/opt/data/kafka', line: 3 });
  });
});

describe('maxHeapMb', () => {
  it('reads -Xmx in any unit, the last one winning, and null without one', () => {
    expect(maxHeapMb('export KAFKA_HEAP_OPTS="-Xms1g -Xmx4g"')).toBe(4096);
    expect(maxHeapMb('KAFKA_HEAP_OPTS=-Xmx512m -Xmx256M')).toBe(256);
    expect(maxHeapMb('-Xmx1073741824')).toBe(1024);
    expect(maxHeapMb('KAFKA_HEAP_OPTS="-Xms256m"')).toBeNull();
  });
});
