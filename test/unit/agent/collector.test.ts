import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { decodeHeaders, MessageCollector } from '../../../agent/collector.ts';

function msg(offset: number, value: string | null, key: string | null = null): KafkaMessage {
  return {
    offset: String(offset),
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    timestamp: '1700000000000',
    attributes: 0,
    headers: {},
  };
}

describe('MessageCollector', () => {
  const ranges = new Map([
    [0, { start: 0, end: 2 }],
    [1, { start: 5, end: 6 }],
    [2, { start: 3, end: 3 }], // empty: done from the start
  ]);

  it('collects up to the end offsets seen at the start, sorted by partition and offset', () => {
    const c = new MessageCollector(ranges, 100);
    c.addBatch(1, [msg(5, 'x', 'k')], 5);
    expect(c.complete).toBe(false);
    c.addBatch(0, [msg(1, 'b'), msg(0, 'a'), msg(2, 'written later')], 2);
    expect(c.complete).toBe(true);
    const r = c.result();
    expect(r.truncated).toBe(false);
    expect(r.messages.map((m) => [m.partition, m.offset, m.key, m.value])).toEqual([
      [0, 0, null, 'a'],
      [0, 1, null, 'b'],
      [1, 5, 'k', 'x'],
    ]);
    expect(r.count).toBe(3);
    expect(r.messages[0]?.timestamp).toBe(1_700_000_000_000);
  });

  it('counts a partition done when its batch ends past the range, even without a message there', () => {
    const c = new MessageCollector(new Map([[0, { start: 0, end: 3 }]]), 100);
    c.addBatch(0, [msg(0, 'a')], 2); // offsets 1-2 were a transaction marker and a compacted record
    expect(c.complete).toBe(true);
  });

  it('stops at max and says the result is truncated', () => {
    const c = new MessageCollector(ranges, 2);
    c.addBatch(0, [msg(0, 'a'), msg(1, 'b')], 1);
    expect(c.complete).toBe(true);
    expect(c.result()).toMatchObject({ count: 2, truncated: true });
  });

  it('is not truncated when max equals what there was', () => {
    const c = new MessageCollector(new Map([[0, { start: 0, end: 2 }]]), 2);
    c.addBatch(0, [msg(0, 'a'), msg(1, 'b')], 1);
    expect(c.result().truncated).toBe(false);
  });

  it('keeps null keys and values null', () => {
    const c = new MessageCollector(new Map([[0, { start: 0, end: 1 }]]), 5);
    c.addBatch(0, [msg(0, null)], 0);
    expect(c.result().messages[0]).toMatchObject({ key: null, value: null, headers: {} });
  });
});

describe('decodeHeaders', () => {
  it('turns buffers into strings and repeated keys into arrays', () => {
    expect(decodeHeaders({ a: Buffer.from('1'), b: [Buffer.from('2'), '3'], c: undefined })).toEqual({
      a: '1',
      b: ['2', '3'],
    });
  });
});
