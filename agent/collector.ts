/**
 * Collects the messages of a topic between the offsets observed when reading started and those
 * ends, so reading terminates even while producers keep writing.
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { MessageInfo } from './types.ts';

/** Offsets to read in one partition: [start, end). */
export interface PartitionRange {
  start: number;
  end: number;
}

/** Header values become strings; a key sent several times becomes an array. */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map((v) => v.toString()) : value.toString();
  }
  return out;
}

/** Accumulates batches until every partition reached its end or `max` messages were kept. */
export class MessageCollector {
  private readonly messages: MessageInfo[] = [];
  private readonly open = new Set<number>();
  private leftOut = false;

  constructor(
    private readonly ranges: ReadonlyMap<number, PartitionRange>,
    private readonly max: number,
  ) {
    for (const [partition, r] of ranges) if (r.end > r.start) this.open.add(partition);
  }

  /** Takes a batch of one partition; `lastOffset` is the batch's last offset including skipped records. */
  addBatch(partition: number, batch: readonly KafkaMessage[], lastOffset: number): void {
    const range = this.ranges.get(partition);
    if (!range) return;
    for (const m of batch) {
      const offset = Number(m.offset);
      if (offset < range.start || offset >= range.end) continue;
      if (this.messages.length >= this.max) {
        this.leftOut = true;
        continue;
      }
      this.messages.push({
        partition,
        offset,
        key: m.key == null ? null : m.key.toString('utf8'),
        value: m.value == null ? null : m.value.toString('utf8'),
        timestamp: Number(m.timestamp),
        headers: decodeHeaders(m.headers),
      });
    }
    // Transaction markers and compacted-away records occupy offsets that never arrive as
    // messages, so "done" compares the batch's last offset, not the last message kept.
    if (lastOffset >= range.end - 1) this.open.delete(partition);
  }

  /** True when nothing more is wanted. */
  get complete(): boolean {
    return this.open.size === 0 || this.messages.length >= this.max;
  }

  /** The document fields: messages sorted by partition and offset. */
  result(): { count: number; truncated: boolean; messages: MessageInfo[] } {
    const messages = [...this.messages].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    const truncated = this.leftOut || (this.messages.length >= this.max && this.open.size > 0);
    return { count: messages.length, truncated, messages };
  }
}
