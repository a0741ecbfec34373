import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkServerPath, firstFileOfTar, packTar } from '../../../server/env/files.ts';
import { AppError } from '../../../server/errors.ts';

function rejection(p: unknown): AppError {
  try {
    checkServerPath(p);
  } catch (err) {
    if (err instanceof AppError) return err;
  }
  throw new Error(`expected ${String(p)} to be rejected`);
}

describe('checkServerPath', () => {
  it('accepts normalised absolute paths under the allowed roots', () => {
    expect(checkServerPath('/opt/apps/kafka/config/server.properties')).toBe(
      '/opt/apps/kafka/config/server.properties',
    );
    expect(checkServerPath('/root/')).toBe('/root');
    expect(checkServerPath('/etc/profile.d/hadoop-etc.sh')).toBe('/etc/profile.d/hadoop-etc.sh');
  });

  it('rejects traversal, relative paths, NUL and non-normalised paths with 400', () => {
    expect(rejection('/opt/apps/../../etc/shadow').message).toContain('must not contain ".."');
    expect(rejection('opt/apps').message).toContain('must be absolute');
    expect(rejection('/root/a\0b').message).toContain('NUL');
    expect(rejection('/root//x').message).toContain('not normalised');
    expect(rejection('/root/./x').status).toBe(400);
    expect(rejection(undefined).message).toBe('A file path is required');
  });

  it('rejects paths outside the allowed roots and the platform’s own files with 403', () => {
    for (const p of [
      '/etc/shadow',
      '/',
      '/opt/kafkalab/agent/agent.cjs',
      '/opt/zookeeper/lib/x.jar',
      '/rootkit',
    ]) {
      const err = rejection(p);
      expect(err.status, p).toBe(403);
      expect(err.reason).toBe('path_not_allowed');
    }
  });
});

describe('tar helpers', () => {
  it('round-trips a file and enforces the read limit', async () => {
    const tarball = await packTar([{ name: 'server.properties', content: 'broker.id=1\n', mode: 0o644 }]);
    expect((await firstFileOfTar(Readable.from([tarball]), 100)).toString()).toBe('broker.id=1\n');
    await expect(firstFileOfTar(Readable.from([tarball]), 5)).rejects.toMatchObject({ status: 413 });
  });
});
