import { describe, expect, it } from 'vitest';
import { missingHosts, pollUntil } from '../../../agent/commands/ready.ts';
import { Deadline } from '../../../agent/deadline.ts';
import { AgentError } from '../../../agent/errors.ts';

describe('missingHosts', () => {
  it('names the bootstrap addresses no registered broker advertises', () => {
    const bootstrap = [1, 2, 3].map((i) => ({ host: `bigdata0${i}`, port: 9092 }));
    expect(missingHosts(bootstrap, [{ id: 1, host: 'bigdata01', port: 9092 }])).toEqual([
      'bigdata02:9092',
      'bigdata03:9092',
    ]);
    expect(missingHosts(bootstrap, [])).toHaveLength(3);
  });
});

describe('pollUntil', () => {
  it('retries through errors and "not yet" until a value comes', async () => {
    let n = 0;
    const errors: string[] = [];
    const value = await pollUntil(
      new Deadline(5000),
      () => {
        n++;
        if (n === 1) return Promise.reject(new Error('ECONNREFUSED'));
        return Promise.resolve(n < 3 ? undefined : 'up');
      },
      (err) => errors.push((err as Error).message),
      1,
    );
    expect(value).toBe('up');
    expect(errors).toEqual(['ECONNREFUSED']);
  });

  it('ends with a timeout at the deadline, keeping the last real error', async () => {
    const errors: string[] = [];
    const started = Date.now();
    const waiting = pollUntil(
      new Deadline(120),
      () => Promise.resolve(undefined),
      (err) => errors.push((err as Error).message),
      20,
    );
    await expect(waiting).rejects.toThrow(AgentError);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(errors).toEqual([]);
  });

  it('cuts off an attempt that hangs', async () => {
    const waiting = pollUntil(
      new Deadline(80),
      () => new Promise<undefined>(() => undefined),
      () => undefined,
      10,
    );
    await expect(waiting).rejects.toMatchObject({ code: 'timeout' });
  });
});
