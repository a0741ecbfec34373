import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFiles } from '../../../server/images/files.ts';
import { kafkaDistHash, type KafkaDistSources } from '../../../server/images/kafkaDist.ts';
import { projectPaths } from '../../../server/paths.ts';

const kafkaDir = path.join(projectPaths.docker, 'kafka');

/** A copy of the project's docker/kafka and docker/zookeeper to change without touching the tree. */
function copyOfSources(): KafkaDistSources {
  const dir = mkdtempSync(path.join(tmpdir(), 'kl-dist-'));
  cpSync(kafkaDir, path.join(dir, 'kafka'), { recursive: true });
  cpSync(path.join(projectPaths.docker, 'zookeeper'), path.join(dir, 'zookeeper'), { recursive: true });
  return { kafkaDir: path.join(dir, 'kafka'), zookeeperDir: path.join(dir, 'zookeeper') };
}

describe('kafkaDistHash', () => {
  it('changes with the pom, a new script, a script’s mode and files in config subfolders', () => {
    const src = copyOfSources();
    const seen = new Set([kafkaDistHash(src)]);
    const changed = (what: string): void => {
      const hash = kafkaDistHash(src);
      expect(seen.has(hash), what).toBe(false);
      seen.add(hash);
    };
    writeFileSync(path.join(src.kafkaDir, 'pom.xml'), '<!-- another jar set -->\n', { flag: 'a' });
    changed('pom.xml');
    writeFileSync(path.join(src.kafkaDir, 'bin', 'new-tool.sh'), '#!/bin/bash\n');
    changed('a new script');
    chmodSync(path.join(src.kafkaDir, 'bin', 'new-tool.sh'), 0o755);
    changed('a script made executable');
    mkdirSync(path.join(src.kafkaDir, 'config', 'sub'), { recursive: true });
    writeFileSync(path.join(src.kafkaDir, 'config', 'sub', 'x.properties'), 'a=1\n');
    changed('a file in a config subfolder');
    writeFileSync(path.join(src.kafkaDir, 'config', 'sub', 'x.properties'), 'a=2\n');
    changed('its content');
  });
});

describe('docker/kafka', () => {
  const scripts = listFiles(path.join(kafkaDir, 'bin'));

  it('has upstream’s Connect and Streams scripts next to the others', () => {
    expect(scripts).toEqual(
      expect.arrayContaining([
        'connect-standalone.sh',
        'connect-distributed.sh',
        'connect-mirror-maker.sh',
        'kafka-streams-application-reset.sh',
        'kafka-run-class.sh',
      ]),
    );
  });

  it('has every config file a script names, and the quickstart’s connector configs', () => {
    const named = new Set<string>();
    for (const s of scripts) {
      const text = readFileSync(path.join(kafkaDir, 'bin', s), 'utf8');
      for (const m of text.matchAll(/config\/([\w./-]+\.properties)/g)) named.add(m[1] ?? '');
    }
    expect([...named]).toEqual(expect.arrayContaining(['connect-log4j.properties', 'server.properties']));
    for (const f of [...named, 'connect-file-source.properties', 'connect-file-sink.properties']) {
      expect(existsSync(path.join(kafkaDir, 'config', f)), `config/${f}`).toBe(true);
    }
  });

  it('names, in the Connect worker configs, the file connector jar the pom resolves', () => {
    const pom = readFileSync(path.join(kafkaDir, 'pom.xml'), 'utf8');
    const version = /<kafka\.version>([^<]+)</.exec(pom)?.[1];
    expect(pom).toContain('<artifactId>connect-file</artifactId>');
    const standalone = readFileSync(path.join(kafkaDir, 'config', 'connect-standalone.properties'), 'utf8');
    expect(standalone).toContain(`plugin.path=libs/connect-file-${version}.jar`);
  });
});
