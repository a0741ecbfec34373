import { describe, expect, it } from 'vitest';
import {
  Admission,
  checkAdmissionConfig,
  planAdmission,
  type AdmissionConfig,
} from '../../../server/env/Admission.ts';

/** The defaults of the configuration table. */
const defaults: AdmissionConfig = {
  maxEnvironments: 8,
  hostReserveMb: 2048,
  envMemoryMb: 2400,
  bootConcurrency: 0,
};

/** Admission on a hand-driven clock, recording who was admitted in which order. */
function harness(capacity: number, bootConcurrency: number) {
  let now = 0;
  const admission = new Admission({ capacity, bootConcurrency }, () => now);
  const admitted: string[] = [];
  const left: string[] = [];
  const moved: string[][] = [];
  admission.onChange((ids) => {
    if (ids.length > 0) moved.push([...ids]);
  });
  const ask = (id: string): void => {
    void admission.request(id).then((ok) => (ok ? admitted : left).push(id));
  };
  return {
    admission,
    admitted,
    left,
    moved,
    ask,
    tick: (seconds: number) => (now += seconds * 1000),
    /** Lets the request promises settle. */
    settle: () => new Promise<void>((r) => setImmediate(r)),
    line: () => ['a', 'b', 'c', 'd', 'e'].filter((id) => admission.place(id) !== undefined),
  };
}

describe('planAdmission', () => {
  it('takes the smaller of the memory budget and KAFKALAB_MAX_ENVS', () => {
    // 24 GiB host: (24105 - 2048) / 2400 = 9.19 -> 9 by memory; the maximum (8) wins.
    expect(planAdmission(defaults, { totalMemoryMb: 24105, cores: 2 })).toMatchObject({
      capacity: 8,
      byMemory: 9,
      bootConcurrency: 2,
    });
    // 8 GiB host: (8192 - 2048) / 2400 = 2.56 -> 2; memory wins.
    expect(planAdmission(defaults, { totalMemoryMb: 8192, cores: 4 })).toMatchObject({
      capacity: 2,
      byMemory: 2,
      bootConcurrency: 4,
    });
  });

  it('uses KAFKALAB_BOOT_CONCURRENCY when set, one per core when 0', () => {
    const host = { totalMemoryMb: 65536, cores: 16 };
    expect(planAdmission(defaults, host).bootConcurrency).toBe(16);
    expect(planAdmission({ ...defaults, bootConcurrency: 3 }, host).bootConcurrency).toBe(3);
  });

  it('refuses a configuration that leaves room for no environment, naming the options', () => {
    const host = { totalMemoryMb: 4096, cores: 2 };
    let caught: unknown;
    try {
      checkAdmissionConfig({ ...defaults, hostReserveMb: 3000 }, host);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ status: 400, reason: 'bad_config' });
    const details = (caught as { details: string }).details;
    expect(details).toContain('KAFKALAB_HOST_RESERVE_MB=3000');
    expect(details).toContain('KAFKALAB_ENV_MEMORY_MB=2400');
    expect(details).toContain('4096 MiB');
    // A reserve above the host's memory is the same mistake.
    expect(() => checkAdmissionConfig({ ...defaults, hostReserveMb: 9000 }, host)).toThrow(/no student/);
    expect(checkAdmissionConfig(defaults, { totalMemoryMb: 8192, cores: 2 }).capacity).toBe(2);
  });
});

describe('Admission', () => {
  it('admits in arrival order, never more booting than the concurrency', async () => {
    const h = harness(10, 2);
    for (const id of ['a', 'b', 'c', 'd']) h.ask(id);
    await h.settle();
    expect(h.admitted).toEqual(['a', 'b']);
    expect(h.line()).toEqual(['c', 'd']);
    expect(h.admission.place('c')?.position).toBe(1);
    expect(h.admission.place('d')?.position).toBe(2);

    h.admission.bootEnded('b');
    await h.settle();
    expect(h.admitted).toEqual(['a', 'b', 'c']);
    h.admission.bootEnded('a');
    await h.settle();
    expect(h.admitted).toEqual(['a', 'b', 'c', 'd']);
    expect(h.admission.stats()).toMatchObject({ occupied: 4, booting: 2, queued: 0 });
  });

  it('tells every waiting id whose position changed, and only those', async () => {
    const h = harness(1, 1);
    for (const id of ['a', 'b', 'c', 'd']) h.ask(id);
    // a admitted; b, c, d told their first positions as they joined.
    expect(h.moved).toEqual([['b'], ['c'], ['d']]);
    h.moved.length = 0;
    h.admission.leave('c');
    expect(h.moved).toEqual([['d']]);
    expect(h.admission.place('d')?.position).toBe(2);
    h.moved.length = 0;
    h.admission.bootEnded('a'); // a runs and keeps its place: nobody moves
    expect(h.moved).toEqual([]);
    h.admission.release('a');
    expect(h.moved).toEqual([['d']]);
    await h.settle();
    expect(h.admitted).toEqual(['a', 'b']);
    expect(h.left).toEqual(['c']);
  });

  it('holds a place for running environments until they are stopped or removed', async () => {
    const h = harness(2, 5);
    h.ask('a');
    h.ask('b');
    h.admission.bootEnded('a');
    h.admission.bootEnded('b');
    h.ask('c');
    await h.settle();
    // Boot slots are free, but both places are taken by running environments.
    expect(h.admitted).toEqual(['a', 'b']);
    expect(h.admission.place('c')).toMatchObject({ position: 1 });
    h.admission.release('b'); // stopped (or removed)
    await h.settle();
    expect(h.admitted).toEqual(['a', 'b', 'c']);
  });

  it('gives back both the slot and the place when a boot fails', async () => {
    const h = harness(1, 1);
    h.ask('a');
    h.ask('b');
    h.admission.bootFailed('a');
    await h.settle();
    expect(h.admitted).toEqual(['a', 'b']);
    expect(h.admission.stats()).toMatchObject({ occupied: 1, booting: 1, queued: 0 });
  });

  it('lets a waiting id leave the line; its request answers false and the rest move up', async () => {
    const h = harness(1, 1);
    h.ask('a');
    h.ask('b');
    h.ask('c');
    expect(h.admission.leave('b')).toBe(true);
    expect(h.admission.leave('b')).toBe(false);
    expect(h.admission.leave('a')).toBe(false); // admitted ids are not in line
    expect(h.admission.place('c')?.position).toBe(1);
    h.admission.release('a');
    await h.settle();
    expect(h.admitted).toEqual(['a', 'c']);
    expect(h.left).toEqual(['b']);
  });

  it('joins a repeated request to the same place', async () => {
    const h = harness(1, 1);
    h.ask('a');
    h.ask('b');
    h.ask('b');
    expect(h.admission.stats().queued).toBe(1);
    h.admission.release('a');
    await h.settle();
    expect(h.admitted).toEqual(['a', 'b', 'b']);
  });

  it('counts environments found running at start, and corrects its count from the engine', async () => {
    const h = harness(2, 2);
    h.admission.hold(['x', 'y']);
    h.ask('a');
    await h.settle();
    expect(h.admission.place('a')).toMatchObject({ position: 1 });
    // The engine now lists only x: y was stopped from a shell.
    h.admission.sync(['x']);
    await h.settle();
    expect(h.admitted).toEqual(['a']);
    // A booting id is kept even before the engine lists it.
    h.admission.sync(['x']);
    expect(h.admission.stats()).toMatchObject({ occupied: 2, booting: 1 });
  });

  it('keeps the place of an environment being replaced; it waits only for a boot slot, ahead of the line', async () => {
    const h = harness(2, 1);
    h.ask('a');
    h.admission.bootEnded('a');
    h.ask('b'); // booting
    h.ask('c'); // waits for a place
    h.ask('a'); // a reset: same place, needs a slot
    expect(h.line()).toEqual(['a', 'c']);
    h.admission.bootEnded('b');
    await h.settle();
    expect(h.admitted).toEqual(['a', 'b', 'a']);
    expect(h.admission.stats()).toMatchObject({ occupied: 2, booting: 1, queued: 1 });
    // Leaving while being replaced gives the place up (the student reset or stopped instead).
    h.ask('b');
    h.admission.leave('b');
    h.admission.bootEnded('a');
    await h.settle();
    expect(h.admitted).toEqual(['a', 'b', 'a', 'c']);
  });

  it('estimates the wait from the recent boot times, starting from 30 s per boot', async () => {
    const h = harness(1, 2);
    h.ask('a');
    h.ask('b');
    h.ask('c');
    // 30 s per boot, two at a time: 1st in line ~15 s, 2nd ~30 s.
    expect(h.admission.place('b')).toEqual({ position: 1, etaSeconds: 15 });
    expect(h.admission.place('c')).toEqual({ position: 2, etaSeconds: 30 });
    h.tick(50);
    h.admission.bootEnded('a'); // took 50 s
    h.admission.release('a');
    await h.settle();
    expect(h.admitted).toEqual(['a', 'b']);
    expect(h.admission.averageBootSeconds()).toBe(50);
    expect(h.admission.place('c')).toEqual({ position: 1, etaSeconds: 25 });
    h.tick(10);
    h.admission.bootEnded('b'); // took 10 s: the average of 50 and 10
    expect(h.admission.averageBootSeconds()).toBe(30);
    expect(h.admission.place('c')?.etaSeconds).toBe(15);
  });

  it('does not take back a place released while the engine was being asked (a stale list)', async () => {
    const h = harness(1, 1);
    h.admission.hold(['x']);
    const mark = h.admission.mark();
    h.ask('a');
    // x is removed while the engine's answer (still listing x) is on its way.
    h.admission.release('x');
    await h.settle();
    expect(h.admitted).toEqual(['a']);
    h.admission.sync(['x', 'a'], mark);
    expect(h.admission.stats()).toMatchObject({ occupied: 1 });
    // A list asked for after the release counts x again (it was started since).
    h.admission.sync(['x', 'a'], h.admission.mark());
    expect(h.admission.stats()).toMatchObject({ occupied: 2 });
  });

  it('puts the warm pool refills behind every student and shows them no place', async () => {
    const h = harness(2, 1);
    h.ask('a');
    await h.settle();
    const refill = h.admission.request('pool-1', { background: true });
    h.ask('b');
    expect(h.line()).toEqual(['b']);
    expect(h.admission.place('pool-1')).toBeUndefined();
    expect(h.admission.place('b')?.position).toBe(1);
    expect(h.admission.stats().queued).toBe(1);
    // Full with a and b: a student waits for a place the pool could give.
    h.admission.bootEnded('a');
    await h.settle();
    expect(h.admitted).toEqual(['a', 'b']);
    h.ask('c');
    expect(h.admission.starved()).toBe(true);
    h.admission.release('a');
    h.admission.bootEnded('b');
    await h.settle();
    expect(h.admitted).toEqual(['a', 'b', 'c']);
    expect(h.admission.starved()).toBe(false);
    h.admission.release('b');
    h.admission.bootEnded('c');
    expect(await refill).toBe(true);
  });
});
