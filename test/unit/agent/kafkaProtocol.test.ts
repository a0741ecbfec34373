import { describe, expect, it } from 'vitest';
import { BinaryReader } from '../../../agent/wire/binary.ts';
import {
  decodeDescribeConfigsV1,
  decodeDescribeGroupsV1,
  decodeListGroupsV1,
  decodeListOffsetsV1,
  decodeMetadataV5,
  decodeOffsetFetchV3,
  encodeCreateTopicsV2,
  encodeListOffsetsV1,
  encodeMetadataV5,
  encodeOffsetFetchV3,
  encodeRequest,
  OffsetSpec,
} from '../../../agent/wire/kafkaProtocol.ts';
import { cat, hex, i16, i32, i64, str16 } from './bytes.ts';

const int32s = (...ns: number[]): Buffer => cat(i32(ns.length), ...ns.map(i32));

describe('Kafka requests', () => {
  it('frames a request with header v1 (api key, version, correlation id, client id)', () => {
    expect(encodeRequest(3, 5, 42, 'kl', hex('ff'))).toEqual(
      cat(i32(13), i16(3), i16(5), i32(42), str16('kl'), hex('ff')),
    );
  });

  it('asks Metadata for all topics with a null array and never auto-creates', () => {
    expect(encodeMetadataV5(null)).toEqual(cat(i32(-1), hex('00')));
    expect(encodeMetadataV5(['orders'])).toEqual(cat(i32(1), str16('orders'), hex('00')));
  });

  it('groups ListOffsets partitions by topic, with the requested timestamp', () => {
    const body = encodeListOffsetsV1(
      [
        { topic: 'a', partition: 0 },
        { topic: 'a', partition: 2 },
      ],
      OffsetSpec.earliest,
    );
    expect(body).toEqual(cat(i32(-1), i32(1), str16('a'), i32(2), i32(0), i64(-2n), i32(2), i64(-2n)));
  });

  it('asks OffsetFetch for every committed partition with null topics', () => {
    expect(encodeOffsetFetchV3('billing')).toEqual(cat(str16('billing'), i32(-1)));
  });

  it('creates topics without manual assignments or configs', () => {
    expect(encodeCreateTopicsV2([{ name: 'h', partitions: 1, replicationFactor: 3 }], 5000)).toEqual(
      cat(i32(1), str16('h'), i32(1), i16(3), i32(0), i32(0), i32(5000), hex('00')),
    );
  });
});

describe('Kafka responses', () => {
  it('decodes Metadata v5, keeping partitions without a leader and their offline replicas', () => {
    const body = cat(
      i32(0), // throttle
      i32(2),
      cat(i32(1), str16('bigdata01'), i32(9092), str16(null)),
      cat(i32(3), str16('bigdata03'), i32(9092), str16('r1')),
      str16('cluster-x'),
      i32(3), // controller
      i32(1),
      cat(
        i16(0),
        str16('single'),
        hex('00'),
        i32(2),
        cat(i16(0), i32(0), i32(1), int32s(1), int32s(1), int32s()),
        cat(i16(5), i32(1), i32(-1), int32s(2), int32s(2), int32s(2)),
      ),
    );
    expect(decodeMetadataV5(new BinaryReader(body))).toEqual({
      brokers: [
        { nodeId: 1, host: 'bigdata01', port: 9092, rack: null },
        { nodeId: 3, host: 'bigdata03', port: 9092, rack: 'r1' },
      ],
      clusterId: 'cluster-x',
      controllerId: 3,
      topics: [
        {
          errorCode: 0,
          name: 'single',
          isInternal: false,
          partitions: [
            { errorCode: 0, partition: 0, leader: 1, replicas: [1], isr: [1], offline: [] },
            { errorCode: 5, partition: 1, leader: -1, replicas: [2], isr: [2], offline: [2] },
          ],
        },
      ],
    });
  });

  it('decodes ListOffsets v1 per partition', () => {
    const body = cat(
      i32(1),
      str16('a'),
      i32(2),
      cat(i32(0), i16(0), i64(-1n), i64(17n)),
      cat(i32(1), i16(6), i64(-1n), i64(-1n)),
    );
    expect(decodeListOffsetsV1(new BinaryReader(body))).toEqual([
      { topic: 'a', partition: 0, errorCode: 0, offset: 17 },
      { topic: 'a', partition: 1, errorCode: 6, offset: -1 },
    ]);
  });

  it('decodes ListGroups v1', () => {
    const body = cat(
      i32(0),
      i16(0),
      i32(2),
      str16('billing'),
      str16('consumer'),
      str16('offsets-only'),
      str16(''),
    );
    expect(decodeListGroupsV1(new BinaryReader(body))).toEqual({
      errorCode: 0,
      groups: [
        { groupId: 'billing', protocolType: 'consumer' },
        { groupId: 'offsets-only', protocolType: '' },
      ],
    });
  });

  it('decodes DescribeGroups v1 with member bytes kept opaque', () => {
    const member = cat(
      str16('m-1'),
      str16('console-consumer'),
      str16('/10.0.0.2'),
      i32(2),
      hex('0102'),
      i32(1),
      hex('03'),
    );
    const body = cat(
      i32(0),
      i32(1),
      i16(0),
      str16('billing'),
      str16('Stable'),
      str16('consumer'),
      str16('range'),
      i32(1),
      member,
    );
    const [group] = decodeDescribeGroupsV1(new BinaryReader(body));
    expect(group).toMatchObject({
      groupId: 'billing',
      state: 'Stable',
      protocolType: 'consumer',
      protocol: 'range',
    });
    expect(group?.members[0]).toEqual({
      memberId: 'm-1',
      clientId: 'console-consumer',
      clientHost: '/10.0.0.2',
      memberMetadata: hex('0102'),
      memberAssignment: hex('03'),
    });
  });

  it('decodes OffsetFetch v3 with the group-level error code last', () => {
    const body = cat(
      i32(0),
      i32(1),
      str16('orders'),
      i32(1),
      cat(i32(2), i64(41n), str16(''), i16(0)),
      i16(0),
    );
    expect(decodeOffsetFetchV3(new BinaryReader(body))).toEqual({
      errorCode: 0,
      offsets: [{ topic: 'orders', partition: 2, offset: 41, errorCode: 0 }],
    });
  });

  it('decodes DescribeConfigs v1 entries and skips synonyms', () => {
    const entry = cat(
      str16('retention.ms'),
      str16('3600000'),
      hex('00'),
      hex('01'),
      hex('00'),
      i32(1),
      str16('x'),
      str16('y'),
      hex('05'),
    );
    const body = cat(i32(0), i32(1), i16(0), str16(null), hex('02'), str16('orders'), i32(1), entry);
    expect(decodeDescribeConfigsV1(new BinaryReader(body))).toEqual({
      errorCode: 0,
      errorMessage: null,
      entries: [{ name: 'retention.ms', value: '3600000', readOnly: false, source: 1, isSensitive: false }],
    });
  });
});
