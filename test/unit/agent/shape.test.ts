import { describe, expect, it } from 'vitest';
import {
  computeLag,
  decodeAssignment,
  groupOffsets,
  mergeBrokers,
  partitionKey,
  totalLag,
} from '../../../agent/shape.ts';
import { assignmentBytes, broker } from './fakes.ts';

describe('computeLag', () => {
  it('is end minus committed', () => {
    expect(computeLag(3, 10)).toBe(7);
    expect(computeLag(10, 10)).toBe(0);
    expect(computeLag(0, 4)).toBe(4);
  });

  it('is unknown without a commit or without an end', () => {
    expect(computeLag(-1, 10)).toBeNull();
    expect(computeLag(5, null)).toBeNull();
  });

  it('is never negative when retention moved the end below a stale commit', () => {
    expect(computeLag(12, 10)).toBe(0);
  });
});

describe('totalLag', () => {
  it('adds known lags and leaves unknown ones out', () => {
    const row = (lag: number | null) => ({ topic: 't', partition: 0, committed: 0, end: 0, lag });
    expect(totalLag([row(2), row(null), row(5)])).toBe(7);
    expect(totalLag([])).toBe(0);
  });
});

describe('groupOffsets', () => {
  it('adds assigned partitions without a commit, and sorts by topic then partition', () => {
    const members = [
      { memberId: 'm', clientId: 'c', host: 'h', assignments: [{ topic: 'b', partitions: [1] }] },
    ];
    const ends = new Map([
      [partitionKey('a', 10), 12],
      [partitionKey('a', 2), 3],
      [partitionKey('b', 1), 9],
    ]);
    const rows = groupOffsets(
      [
        {
          topic: 'a',
          partitions: [
            { partition: 10, offset: '2' },
            { partition: 2, offset: '3' },
          ],
        },
      ],
      members,
      ends,
    );
    expect(rows).toEqual([
      { topic: 'a', partition: 2, committed: 3, end: 3, lag: 0 },
      { topic: 'a', partition: 10, committed: 2, end: 12, lag: 10 },
      { topic: 'b', partition: 1, committed: -1, end: 9, lag: null },
    ]);
  });
});

describe('mergeBrokers', () => {
  it('marks live brokers up and the rest down, sorted by id', () => {
    const merged = mergeBrokers(
      [broker(3), broker(1)],
      [{ id: 5, host: 'bigdata05', port: 9093 }],
      [2, 1, 3],
    );
    expect(merged).toEqual([
      { id: 1, host: 'bigdata01', port: 9092, up: true },
      { id: 2, host: null, port: null, up: false },
      { id: 3, host: 'bigdata03', port: 9092, up: true },
      { id: 5, host: 'bigdata05', port: 9093, up: false },
    ]);
  });

  it('prefers the live address over a stale registration, and ignores "no replica" (-1)', () => {
    const merged = mergeBrokers([broker(1)], [{ id: 1, host: 'old', port: 1 }], [-1]);
    expect(merged).toEqual([{ id: 1, host: 'bigdata01', port: 9092, up: true }]);
  });

  it('works without ZooKeeper', () => {
    expect(mergeBrokers([], null, [2])).toEqual([{ id: 2, host: null, port: null, up: false }]);
  });
});

describe('decodeAssignment', () => {
  it('decodes the consumer protocol, sorted', () => {
    expect(decodeAssignment('consumer', assignmentBytes({ z: [3, 1], a: [0] }))).toEqual([
      { topic: 'a', partitions: [0] },
      { topic: 'z', partitions: [1, 3] },
    ]);
  });

  it('shows nothing for other protocols, empty bytes or garbage', () => {
    expect(decodeAssignment('connect', assignmentBytes({ a: [0] }))).toEqual([]);
    expect(decodeAssignment('consumer', Buffer.alloc(0))).toEqual([]);
    expect(decodeAssignment('consumer', Buffer.from([0, 0, 0, 0, 0, 9]))).toEqual([]);
  });
});
