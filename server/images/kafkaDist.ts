import { spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';
import type { Progress } from '../progress.ts';
import { InputHash, listFiles } from './files.ts';
import { resolveJars } from './maven.ts';

/** The Kafka release the course runs: the last line with ZooKeeper mode. */
export const KAFKA_VERSION = '3.9.2';
/** Upstream's directory and tarball name for that release. */
export const KAFKA_DIST_NAME = `kafka_2.13-${KAFKA_VERSION}`;

/** Inputs of the Kafka distribution inside the project. */
export interface KafkaDistSources {
  /** docker/kafka: pom.xml, bin/, config/. */
  readonly kafkaDir: string;
  /** docker/zookeeper: jars.txt names the jars the pre-installed ZooKeeper needs. */
  readonly zookeeperDir: string;
}

/** A built distribution in the cache. */
export interface KafkaDist {
  readonly hash: string;
  readonly tarball: string;
  /** The jars of the pre-installed ZooKeeper (a subset of Kafka's libs). */
  readonly zookeeperLib: string;
}

/** Hash of everything the distribution is made from; the cache key. */
export function kafkaDistHash(src: KafkaDistSources): string {
  return new InputHash()
    .value('version', KAFKA_VERSION)
    .file('pom', path.join(src.kafkaDir, 'pom.xml'))
    .dir('bin', path.join(src.kafkaDir, 'bin'))
    .dir('config', path.join(src.kafkaDir, 'config'))
    .file('zk-jars', path.join(src.zookeeperDir, 'jars.txt'))
    .digest();
}

/**
 * Returns the cached distribution for these inputs, building it when missing: jars from Maven
 * (local repository cached under `cacheDir/m2`), this project's bin/ and config/, packed as
 * `kafka_2.13-3.9.2.tgz` like upstream's. Built in a temporary folder and renamed into place at
 * the end, so a failed build never leaves something that looks finished.
 */
export async function ensureKafkaDist(
  src: KafkaDistSources,
  cacheDir: string,
  progress: Progress,
  remoteRepo?: string,
): Promise<KafkaDist> {
  const hash = kafkaDistHash(src);
  const root = path.join(cacheDir, 'kafka-dist');
  const done = path.join(root, hash);
  const result: KafkaDist = {
    hash,
    tarball: path.join(done, `${KAFKA_DIST_NAME}.tgz`),
    zookeeperLib: path.join(done, 'zookeeper-lib'),
  };
  if (existsSync(result.tarball)) {
    progress({ phase: 'kafka-dist', message: `${KAFKA_DIST_NAME}.tgz cached (${hash})` });
    return result;
  }

  const work = path.join(root, `${hash}.tmp`);
  rmSync(work, { recursive: true, force: true });
  const dist = path.join(work, KAFKA_DIST_NAME);
  mkdirSync(dist, { recursive: true });

  progress({ phase: 'kafka-dist', message: `resolving Kafka ${KAFKA_VERSION} jars with Maven` });
  let resolved = 0;
  await resolveJars({
    pom: path.join(src.kafkaDir, 'pom.xml'),
    localRepo: path.join(cacheDir, 'm2'),
    outDir: path.join(dist, 'libs'),
    ...(remoteRepo ? { remoteRepo } : {}),
    onLine: (line) => {
      // Maven prints one "Downloaded from" line per file; report every tenth to show movement.
      if (/^Downloaded from/.test(line) && ++resolved % 10 === 0) {
        progress({ phase: 'kafka-dist', message: `downloaded ${resolved} files from the Maven repository` });
      }
    },
  });
  const jars = readdirSync(path.join(dist, 'libs')).filter((f) => f.endsWith('.jar'));
  progress({ phase: 'kafka-dist', message: `${jars.length} jars resolved` });

  // Everything below bin/ and config/ (config/kraft/ too); every script executable, whatever mode
  // the checkout gave it, as in upstream's tarball.
  cpSync(path.join(src.kafkaDir, 'bin'), path.join(dist, 'bin'), { recursive: true });
  cpSync(path.join(src.kafkaDir, 'config'), path.join(dist, 'config'), { recursive: true });
  for (const f of listFiles(path.join(dist, 'bin'))) chmodSync(path.join(dist, 'bin', f), 0o755);

  const zkLib = path.join(work, 'zookeeper-lib');
  mkdirSync(zkLib);
  for (const jar of zookeeperJars(src.zookeeperDir)) {
    const from = path.join(dist, 'libs', jar);
    if (!existsSync(from)) {
      throw new AppError(
        500,
        'zookeeper_jar_missing',
        `docker/zookeeper/jars.txt names ${jar}, which Maven did not resolve`,
      );
    }
    copyFileSync(from, path.join(zkLib, jar));
  }

  progress({ phase: 'kafka-dist', message: `packing ${KAFKA_DIST_NAME}.tgz` });
  await run('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=2025-01-01 00:00:00Z',
    '-czf',
    path.join(work, `${KAFKA_DIST_NAME}.tgz`),
    '-C',
    work,
    KAFKA_DIST_NAME,
  ]);
  rmSync(dist, { recursive: true });
  rmSync(done, { recursive: true, force: true });
  renameSync(work, done);
  progress({ phase: 'kafka-dist', message: `${KAFKA_DIST_NAME}.tgz built (${hash})` });
  return result;
}

/** The jar names listed in docker/zookeeper/jars.txt (comments and blank lines ignored). */
export function zookeeperJars(zookeeperDir: string): string[] {
  return readFileSync(path.join(zookeeperDir, 'jars.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '');
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new AppError(500, 'command_failed', `${cmd} failed (exit ${code})`, { details: err })),
    );
  });
}
