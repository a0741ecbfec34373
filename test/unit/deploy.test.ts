import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const unitFile = path.resolve(import.meta.dirname, '../../deploy/kafkalab.service');

/** The unit's settings as key -> values (a key may repeat). */
function settings(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined) out.set(m[1], [...(out.get(m[1]) ?? []), m[2] ?? '']);
  }
  return out;
}

describe('the systemd unit (the supervisor story for operators)', () => {
  it('runs `npm start`, restarts it when it fails, and starts after Docker', () => {
    const s = settings(readFileSync(unitFile, 'utf8'));
    expect(s.get('ExecStart')).toEqual(['/usr/bin/env npm start']);
    expect(s.get('Restart')).toEqual(['on-failure']);
    expect(s.get('After')?.[0]).toContain('docker.service');
    expect(s.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('is a unit systemd accepts', () => {
    // systemd-analyze ships with systemd on every Debian host this runs on.
    const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
    expect(analyze, 'systemd-analyze').toBeDefined();
    const r = spawnSync(analyze ?? 'systemd-analyze', ['verify', unitFile], { encoding: 'utf8' });
    // It reports problems (unknown keys, bad values) on stderr, some without failing.
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });
});
