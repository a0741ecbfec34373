import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputHash, listFiles, requireFreeSpace } from '../../../server/images/files.ts';

function tree(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kl-hash-'));
  mkdirSync(path.join(dir, 'bin'));
  writeFileSync(path.join(dir, 'bin', 'run.sh'), 'echo hi\n');
  writeFileSync(path.join(dir, 'a.txt'), 'a\n');
  return dir;
}

describe('InputHash', () => {
  it('is stable for the same tree and changes with content, names and the executable bit', () => {
    const dir = tree();
    const h = (): string => new InputHash().dir('t', dir).digest();
    const first = h();
    expect(h()).toBe(first);
    chmodSync(path.join(dir, 'bin', 'run.sh'), 0o755);
    const executable = h();
    expect(executable).not.toBe(first);
    writeFileSync(path.join(dir, 'a.txt'), 'b\n');
    expect(h()).not.toBe(executable);
  });

  it('lists files sorted and relative', () => {
    expect(listFiles(tree())).toEqual(['a.txt', 'bin/run.sh']);
  });
});

describe('requireFreeSpace', () => {
  it('says how much is needed when the disk is too full', () => {
    expect(() => requireFreeSpace(tmpdir(), Number.MAX_SAFE_INTEGER, 'the image build')).toThrow(
      /Not enough disk space for the image build/,
    );
    try {
      requireFreeSpace(tmpdir(), Number.MAX_SAFE_INTEGER, 'the image build');
    } catch (err) {
      expect((err as { details: string }).details).toMatch(
        /needs about [\d.]+ GiB free in .*; there are [\d.]+ GiB/,
      );
    }
    expect(() => requireFreeSpace(tmpdir(), 1, 'x')).not.toThrow();
  });
});
