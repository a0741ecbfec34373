import { describe, expect, it } from 'vitest';
import { duration, envTable } from '../../../server/cli/env.ts';
import type { EnvInfo } from '../../../server/env/EnvironmentBackend.ts';
import { SqliteStore } from '../../../server/store/Store.ts';

const MINUTE = 60_000;

function env(id: string, owner: string, state: EnvInfo['state'], extra: Partial<EnvInfo> = {}): EnvInfo {
  return { id, owner, mode: 'ready', state, nodes: [], createdAt: '2026-12-01T08:00:00.000Z', ...extra };
}

describe('kafkalab env ls', () => {
  it('shows the owner from the store (a claimed warm-pool environment has an empty label), idle and stopped times', () => {
    const store = new SqliteStore(':memory:');
    const now = 1_700_000_000_000;
    const alice = store.studentNamed('alice');
    const bob = store.studentNamed('bob');
    const carol = store.studentNamed('carol');
    store.setEnvActiveMs('alice', alice.envId, now - 12 * MINUTE);
    store.setEnvActiveMs('bob', bob.envId, now - 3 * 24 * 60 * MINUTE - 5 * MINUTE);
    store.setEnvStoppedMs(bob.envId, now - 3 * 24 * 60 * MINUTE);
    const text = envTable(
      [
        env(alice.envId, 'alice', 'running'),
        env(bob.envId, 'bob', 'stopped'),
        env(carol.envId, '', 'running', { pooled: true }), // taken from the pool by carol
        env('pool-ready-1', '', 'running', { pooled: true }),
        env('lab-tester-ready', 'tester', 'running'),
      ],
      store,
      now,
    );
    const rows = text.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^ID\s+OWNER\s+MODE\s+STATE\s+IDLE\s+STOPPED\s+CREATED$/);
    const cells = rows.slice(1).map((r) => r.split(/\s+/));
    expect(cells.map((c) => c.slice(1, 6))).toEqual([
      ['alice', 'ready', 'running', '12m', '-'],
      ['bob', 'ready', 'stopped', '3d0h', '3d0h'],
      ['carol', 'ready', 'running', '-', '-'],
      ['(pool)', 'ready', 'running', '-', '-'],
      ['tester', 'ready', 'running', '-', '-'],
    ]);
    store.close();
  });

  it('reads durations at a glance', () => {
    expect(
      [0, 45_000, 12 * MINUTE, 5 * 60 * MINUTE + 3 * MINUTE, 30 * 60 * MINUTE, 76 * 60 * MINUTE].map(
        duration,
      ),
    ).toEqual(['0s', '45s', '12m', '5h03m', '30h00m', '3d4h']);
    expect(duration(-5000)).toBe('0s');
  });
});
