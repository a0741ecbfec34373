import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../web/src/backoff.ts';
import { languageFor } from '../../../web/src/editor/languages.ts';

describe('languageFor', () => {
  it('picks the syntax by file name', () => {
    expect(languageFor('/opt/apps/kafka/config/server.properties')).toBe('ini');
    expect(languageFor('/etc/profile.d/hadoop-etc.sh')).toBe('shell');
    expect(languageFor('/root/.bashrc')).toBe('shell');
    expect(languageFor('/root/uc/order-service.js')).toBe('javascript');
    expect(languageFor('/root/notes')).toBe('plaintext');
    expect(languageFor('/root/.hidden')).toBe('plaintext');
  });
});

describe('Backoff', () => {
  it('doubles up to the cap, with at most 25% jitter, and starts over after reset', () => {
    const b = new Backoff(100, 400);
    const delays = [b.next(), b.next(), b.next(), b.next()];
    const bases = [100, 200, 400, 400];
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(bases[i] ?? 0);
      expect(d).toBeLessThanOrEqual((bases[i] ?? 0) * 1.25);
    });
    b.reset();
    expect(b.next()).toBeLessThanOrEqual(125);
  });
});
