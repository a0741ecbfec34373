import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckType } from '../../../server/checks/CheckType.ts';
import { multilinePatternString, PatternTimeout } from '../../../server/checks/pattern.ts';
import { PatternPool, sharedPatternPool } from '../../../server/checks/PatternPool.ts';
import { checkTypes, runCheck, type CheckResult } from '../../../server/checks/registry.ts';
import type { CheckExercise } from '../../../server/labs/model.ts';
import { projectRoot } from '../../../server/paths.ts';
import { clusterAnswering } from './fakes.ts';

afterAll(() => sharedPatternPool.dispose());

/** A check exercise as the loader makes it: parameters parsed by the type's schema. */
function exercise(type: string, raw: Record<string, unknown>, timeoutSec?: number): CheckExercise {
  const t = checkTypes.get(type) as CheckType<Record<string, unknown>>;
  return {
    kind: 'check',
    id: 'c',
    title: { zh: '检查', en: 'Check' },
    type,
    params: t.params.parse(raw),
    points: 10,
    hints: [],
    timeoutSec,
    line: 1,
  };
}

/**
 * Runs `work` with a ping queued right behind it on the event loop, and says which finished
 * first. Both are immediates of the same turn: a check that matches on the event loop resolves
 * before the ping's turn comes (its microtasks run in between), one that matches on a worker
 * needs a later turn to hear back, so the ping runs first.
 */
function withPing<T>(work: () => Promise<T>): Promise<{ result: T; order: string[] }> {
  return new Promise((resolve, reject) => {
    const order: string[] = [];
    setImmediate(() => {
      work().then((result) => {
        order.push('check');
        resolve({ result, order });
      }, reject);
    });
    setImmediate(() => order.push('ping'));
  });
}

describe('checks on pathological content', () => {
  it('`^(a+)+$` against a line of 26 letters and a "!": RE2’s verdict, the event loop free meanwhile', async () => {
    // Output long enough to be matched on a worker; the letters alone took 7.7 s with RegExp.
    const stdout = `${'progress line\n'.repeat(1000)}${'a'.repeat(26)}!\n`;
    const check = exercise('command', { run: 'cat out.txt', stdout: '^(a+)+$' });
    const { result, order } = await withPing(() =>
      runCheck(
        check,
        clusterAnswering({}, () => ({ stdout })),
      ),
    );
    expect(order).toEqual(['ping', 'check']);
    expect(result.status).toBe('fail');
  });

  it('`(.*"orderId".*\\n){6}` against one 6000-byte line: RE2’s verdict, the event loop free meanwhile', async () => {
    const line = '{"orderId":1}'.repeat(Math.ceil(6000 / 13)).slice(0, 6000);
    const check = exercise('file', { path: '/root/uc/replay.txt', matches: '(.*"orderId".*\\n){6}' });
    const one = await withPing(() =>
      runCheck(
        check,
        clusterAnswering({}, () => ({ stdout: line })),
      ),
    );
    expect(one.order).toEqual(['ping', 'check']);
    expect(one.result.status).toBe('fail');
    const six = await runCheck(
      check,
      clusterAnswering({}, () => ({ stdout: `${line}\n`.repeat(6) })),
    );
    expect(six.status).toBe('pass');
  });

  it('a shipped pattern on the largest content a check reads (1 MiB) passes within the default deadline', async () => {
    const content = `${'log.retention.hours=168\n'.repeat(45_000)}broker.id=1\n`;
    const check = exercise('file', {
      path: '/opt/apps/kafka/config/server.properties',
      matches: '^broker\\.id=1\\s*$',
    });
    expect(
      (
        await runCheck(
          check,
          clusterAnswering({}, () => ({ stdout: content })),
        )
      ).status,
    ).toBe('pass');
  });
});

describe('PatternPool', () => {
  /** `find` of this on a long run of word characters runs for tens of seconds, even with RE2. */
  const slow = multilinePatternString.parse('(\\w+\\s*){1000}');
  const quick = multilinePatternString.parse('^done$');
  const long = 'x'.repeat(65_536);

  it('terminates a worker past its deadline; the check answers error, and a fresh worker serves the next match', async () => {
    const pool = new PatternPool({ deadlineMs: 100, inlineBudget: 0 });
    try {
      expect(await pool.test(quick, 'done')).toBe(true);
      const [first] = pool.threadIds;
      const check = exercise('file', { path: '/root/a', notMatches: slow.source });
      const r: CheckResult = await runCheck(
        check,
        clusterAnswering({}, () => ({ stdout: long }), pool),
      );
      expect(r.status).toBe('error');
      expect(r.message.en).toMatch(/^The check could not match the content in time/);
      expect(pool.threadIds).not.toContain(first);
      expect(await pool.test(quick, 'not\ndone')).toBe(true);
      expect(pool.threadIds).toHaveLength(1);
      expect(pool.threadIds).not.toContain(first);
    } finally {
      await pool.dispose();
    }
  });

  it('stops a running match when the check’s own time runs out', async () => {
    const pool = new PatternPool({ deadlineMs: 600_000, inlineBudget: 0 });
    try {
      expect(await pool.test(quick, 'done')).toBe(true);
      const check = exercise('file', { path: '/root/a', notMatches: slow.source }, 0.2);
      const r = await runCheck(
        check,
        clusterAnswering({}, () => ({ stdout: long }), pool),
      );
      expect(r).toMatchObject({ status: 'error', message: { en: 'The check did not finish within 0.2 s.' } });
      expect(pool.threadIds).toEqual([]);
    } finally {
      await pool.dispose();
    }
  });

  it('rejects a match with PatternTimeout and queues what exceeds its workers', async () => {
    const pool = new PatternPool({ size: 1, deadlineMs: 100, inlineBudget: 0 });
    try {
      const results = await Promise.allSettled([
        pool.find(slow, long),
        pool.test(quick, 'done'),
        pool.testEach(quick, ['done', 'nope']),
      ]);
      expect(results[0]).toMatchObject({ status: 'rejected', reason: expect.any(PatternTimeout) as unknown });
      expect(results.slice(1)).toEqual([
        { status: 'fulfilled', value: true },
        { status: 'fulfilled', value: [true, false] },
      ]);
    } finally {
      await pool.dispose();
    }
  });

  it('matches small work inline, without starting a worker, and big programs on a worker', async () => {
    const pool = new PatternPool();
    try {
      expect(await pool.testEach(quick, ['done', 'x'])).toEqual([true, false]);
      expect(await pool.find(quick, 'a\ndone\n')).toBe('done');
      expect(pool.threadIds).toEqual([]);
      // A big program costs milliseconds to set up even on one character.
      expect(await pool.test(slow, 'x')).toBe(false);
      expect(pool.threadIds).toHaveLength(1);
    } finally {
      await pool.dispose();
    }
  });

  it('dispose fails what is pending, stops the workers, and a later match starts again', async () => {
    const pool = new PatternPool({ inlineBudget: 0 });
    const pending = expect(pool.find(slow, long)).rejects.toThrow(/disposed/);
    await pool.dispose();
    await pending;
    expect(pool.threadIds).toEqual([]);
    expect(await pool.test(quick, 'done')).toBe(true);
    await pool.dispose();
  });

  it('keeps a process alive while it waits on a match, and lets it exit once answered', () => {
    // The way the CLI uses it: a top-level await on a match, then nothing else to do. Flags a
    // worker must not inherit (--input-type) are passed on purpose.
    const script = `
      const { sharedPatternPool } = await import('./server/checks/PatternPool.ts');
      const { multilinePatternString } = await import('./server/checks/pattern.ts');
      const re = multilinePatternString.parse('^(a+)+$');
      console.log(await sharedPatternPool.test(re, 'a'.repeat(100000)), sharedPatternPool.threadIds.length);
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 8_000,
    });
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: 0,
      stdout: 'true 1\n',
      stderr: '',
    });
  });
});
