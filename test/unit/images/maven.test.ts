import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mavenFailure } from '../../../server/images/maven.ts';

describe('mavenFailure', () => {
  it('names every unresolved artifact and the repository Maven tried', () => {
    const lines = readFileSync(new URL('../../fixtures/maven/unresolved.txt', import.meta.url), 'utf8').split(
      '\n',
    );
    const err = mavenFailure(lines);
    expect(err.reason).toBe('maven_unresolved');
    expect(err.message).toContain('org.apache.kafka:kafka_2.13:jar:9.9.9-nope');
    expect(err.message).toContain('org.apache.kafka:kafka-tools:jar:9.9.9-nope');
    expect(err.message).toContain('central (https://repo.example.org/maven2)');
    expect(err.details).toContain('[ERROR] Failed to execute goal');
  });

  it('falls back to the error lines when it cannot tell which artifact failed', () => {
    const err = mavenFailure(['[INFO] hello', '[ERROR] Network is unreachable']);
    expect(err.reason).toBe('maven_failed');
    expect(err.details).toBe('[ERROR] Network is unreachable');
  });
});
