import { describe, expect, it } from 'vitest';
import type { EnvStatus } from '../../../server/http/apiTypes.ts';
import { phaseRows } from '../../../web/src/env/bootPhases.ts';

const status = (phase: EnvStatus['phase'], events: EnvStatus['events']): EnvStatus => ({
  phase,
  mode: 'ready',
  events,
  error: null,
  nodes: [],
});

describe('phaseRows', () => {
  it('shows finished phases, the active one with its counter, and the ones still to come', () => {
    const rows = phaseRows(
      status('booting', [
        { phase: 'network', message: 'creating network', at: 1 },
        { phase: 'zookeeper', message: 'ZooKeeper 2/3 in the quorum', done: 2, total: 3, at: 900 },
      ]),
      'ready',
    );
    expect(rows.map((r) => `${r.phase}:${r.state}`)).toEqual([
      'network:done',
      'zookeeper:active',
      'install:pending',
      'brokers:pending',
      'controller:pending',
      'roundtrip:pending',
      'ready:pending',
    ]);
    expect(rows[1]).toMatchObject({ done: 2, total: 3 });
  });

  it('marks the phase where a boot failed', () => {
    const rows = phaseRows(
      status('failed', [{ phase: 'brokers', message: 'brokers 2/3 registered', done: 2, total: 3, at: 5 }]),
      'ready',
    );
    expect(rows).toEqual([
      { phase: 'brokers', state: 'failed', message: 'brokers 2/3 registered', done: 2, total: 3 },
    ]);
  });
});
