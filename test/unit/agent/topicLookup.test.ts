import { describe, expect, it } from 'vitest';
import { Deadline } from '../../../agent/deadline.ts';
import { lookupTopic, SETTLE_MS, type TopicSource } from '../../../agent/topicLookup.ts';
import type { MetadataResponse, MetadataTopic } from '../../../agent/wire/kafkaProtocol.ts';
import { broker, partition, topic } from './fakes.ts';

/** A manual clock so "a few seconds of settling" takes no real time. */
class Clock {
  t = 0;
  now = (): number => this.t;
}

/** Answers each metadata call with the next prepared topic state (the last one repeats). */
class ScriptedTopicSource implements TopicSource {
  calls = 0;
  constructor(
    private readonly states: Array<MetadataTopic | 'unknown'>,
    private readonly registered: boolean | null,
    private readonly clock: Clock,
    private readonly live = [broker(1), broker(2), broker(3)],
  ) {}

  metadata(): Promise<MetadataResponse> {
    const state = this.states[Math.min(this.calls, this.states.length - 1)] ?? 'unknown';
    this.calls++;
    this.clock.t += 300; // each poll costs time on the fake clock
    const topics: MetadataTopic[] =
      state === 'unknown' ? [{ errorCode: 3, name: 'orders', isInternal: false, partitions: [] }] : [state];
    return Promise.resolve({ brokers: this.live, clusterId: null, controllerId: 1, topics });
  }

  topicRegistered(): Promise<boolean | null> {
    return Promise.resolve(this.registered);
  }
}

/** A deadline far away, with sleeps that return at once. */
function patientDeadline(): Deadline {
  const d = new Deadline(60_000);
  d.sleep = () => Promise.resolve();
  return d;
}

const ready = topic('orders', [partition(0, 1, [1, 2])]);
const leaderless = topic('orders', [partition(0, -1, [1, 2])]);

describe('lookupTopic', () => {
  it('answers "absent" at once when ZooKeeper does not know the topic', async () => {
    const clock = new Clock();
    const src = new ScriptedTopicSource(['unknown'], false, clock);
    expect(await lookupTopic(src, 'orders', patientDeadline(), clock.now)).toBeNull();
    expect(src.calls).toBe(1);
  });

  it('waits out the moment after creation when ZooKeeper has the topic but brokers do not yet', async () => {
    const clock = new Clock();
    const src = new ScriptedTopicSource(['unknown', 'unknown', ready], true, clock);
    const found = await lookupTopic(src, 'orders', patientDeadline(), clock.now);
    expect(found?.topic.partitions[0]?.leader).toBe(1);
    expect(src.calls).toBe(3);
  });

  it('waits for leaders that live replicas are about to provide', async () => {
    const clock = new Clock();
    const src = new ScriptedTopicSource([leaderless, leaderless, ready], true, clock);
    expect((await lookupTopic(src, 'orders', patientDeadline(), clock.now))?.topic).toBe(ready);
  });

  it('does not wait for a leader when every replica is on a stopped broker', async () => {
    const clock = new Clock();
    const src = new ScriptedTopicSource([leaderless, ready], true, clock, [broker(3)]);
    expect((await lookupTopic(src, 'orders', patientDeadline(), clock.now))?.topic).toBe(leaderless);
    expect(src.calls).toBe(1);
  });

  it('stops settling after a few seconds and reports what it sees', async () => {
    const clock = new Clock();
    const src = new ScriptedTopicSource([leaderless], true, clock);
    expect((await lookupTopic(src, 'orders', patientDeadline(), clock.now))?.topic).toBe(leaderless);
    expect(src.calls).toBeGreaterThan(SETTLE_MS / 300 - 2);
  });

  it('without ZooKeeper, retries briefly and then calls the topic absent', async () => {
    const clock = new Clock();
    const src = new ScriptedTopicSource(['unknown'], null, clock);
    expect(await lookupTopic(src, 'orders', patientDeadline(), clock.now)).toBeNull();
    expect(src.calls).toBe(3);
  });
});
