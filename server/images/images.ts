import {
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { Config } from '../config.ts';
import { dataPaths } from '../config.ts';
import { realHost, type HostOps } from '../docker/engine.ts';
import { AppError, messageOf } from '../errors.ts';
import { projectPaths } from '../paths.ts';
import type { Progress } from '../progress.ts';
import { bundleAgent } from './agentBundle.ts';
import { ensureBaseImage, fallbackBase, imageId, type BaseImage } from './base.ts';
import { InputHash, listFiles, requireFreeSpace } from './files.ts';
import { ensureKafkaDist, kafkaDistHash, KAFKA_DIST_NAME } from './kafkaDist.ts';
import { followStream } from './stream.ts';

/** Label on the server image holding the hash of its inputs. */
export const INPUTS_LABEL = 'kafkalab.inputs';

/** Free space a cold build needs in the data directory and in the engine's storage. */
export const BUILD_SPACE_BYTES = 3 * 2 ** 30;

/** What `buildImages` did. */
export interface BuildReport {
  readonly base: BaseImage;
  /** `kafkalab/node:<input hash>` */
  readonly image: string;
  readonly latest: string;
  readonly reused: boolean;
  readonly sizeBytes: number;
}

/** Everything the build touches. */
export interface BuildDeps {
  readonly docker: Docker;
  readonly config: Config;
  readonly progress: Progress;
  readonly host?: HostOps;
  /** Rebuild the server image even when one with the same inputs exists. */
  readonly force?: boolean;
}

const src = {
  kafkaDir: path.join(projectPaths.docker, 'kafka'),
  zookeeperDir: path.join(projectPaths.docker, 'zookeeper'),
  nodeDir: path.join(projectPaths.docker, 'node'),
};

/**
 * Makes sure the server image for the current inputs exists, building only what is missing:
 * base image, Kafka distribution, server image. With unchanged inputs this is a few inspections
 * and finishes in seconds. Only a successful build is tagged, first by input hash, then `latest`.
 */
export async function buildImages(deps: BuildDeps): Promise<BuildReport> {
  const { docker, config, progress } = deps;
  const host = deps.host ?? realHost;
  const { cache, logs } = dataPaths(config);
  mkdirSync(cache, { recursive: true });
  mkdirSync(logs, { recursive: true });

  const base = await ensureBaseImage(docker, {
    configured: config.baseImage,
    fallback: fallbackBase(config.imageRepo),
    cacheDir: cache,
    logDir: logs,
    mirror: config.debianMirror,
    host,
    progress,
  });
  const agent = await bundleAgent(projectPaths.agentEntry);
  const hash = nodeImageHash(base.id, agent);
  const image = `${config.imageRepo}:${hash}`;
  const latest = `${config.imageRepo}:latest`;

  if (!deps.force && (await imageId(docker, image)) !== undefined) {
    await tagLatest(docker, image, config.imageRepo);
    progress({ phase: 'image', message: `${image} is up to date` });
    return { base, image, latest, reused: true, sizeBytes: await imageSize(docker, image) };
  }

  requireFreeSpace(config.dataDir, BUILD_SPACE_BYTES, 'the image build');
  const info = (await docker.info()) as { DockerRootDir?: string };
  if (info.DockerRootDir && existsSync(info.DockerRootDir)) {
    requireFreeSpace(info.DockerRootDir, BUILD_SPACE_BYTES, 'the image build (Docker storage)');
  }

  const dist = await ensureKafkaDist(src, cache, progress, config.mavenRepo);
  const context = path.join(cache, `context-${hash}`);
  rmSync(context, { recursive: true, force: true });
  try {
    assembleContext(context, dist.tarball, dist.zookeeperLib, agent);
    await dockerBuild(
      docker,
      context,
      image,
      { BASE_IMAGE: base.ref },
      hash,
      path.join(logs, 'image-build.log'),
      progress,
    );
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  await tagLatest(docker, image, config.imageRepo);
  await removeOlderBuilds(docker, config.imageRepo, image);
  const sizeBytes = await imageSize(docker, image);
  progress({
    phase: 'image',
    message: `built ${image} (${Math.round(sizeBytes / 2 ** 20)} MiB), tagged latest`,
  });
  return { base, image, latest, reused: false, sizeBytes };
}

/** Hash of every input of the server image. */
export function nodeImageHash(baseId: string, agentBundle: string): string {
  return new InputHash()
    .value('base', baseId)
    .dir('node', src.nodeDir)
    .dir('zk-bin', path.join(src.zookeeperDir, 'bin'))
    .dir('zk-conf', path.join(src.zookeeperDir, 'conf'))
    .value('kafka-dist', kafkaDistHash(src))
    .value('agent', agentBundle)
    .value('kafkajs', readFileSync(path.join(projectPaths.nodeModules, 'kafkajs', 'package.json')))
    .digest();
}

/** State of the images, for `doctor` and `/healthz`, without building anything. */
export interface ImagesStatus {
  readonly present: boolean;
  readonly image: string;
  readonly id?: string;
  readonly inputs?: string;
  readonly sizeBytes?: number;
  readonly created?: string;
}

/** Whether `<imageRepo>:latest` exists, and what it was built from. */
export async function imagesStatus(docker: Docker, config: Config): Promise<ImagesStatus> {
  const image = `${config.imageRepo}:latest`;
  try {
    const info = await docker.getImage(image).inspect();
    const inputs = info.Config.Labels?.[INPUTS_LABEL];
    return {
      present: true,
      image,
      id: info.Id,
      sizeBytes: info.Size,
      created: info.Created,
      ...(inputs === undefined ? {} : { inputs }),
    };
  } catch {
    return { present: false, image };
  }
}

function assembleContext(dir: string, tarball: string, zookeeperLib: string, agent: string): void {
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(src.nodeDir, 'Dockerfile'), path.join(dir, 'Dockerfile'));
  cpSync(path.join(src.nodeDir, 'rootfs'), path.join(dir, 'rootfs'), { recursive: true });
  cpSync(path.join(src.zookeeperDir, 'bin'), path.join(dir, 'zookeeper', 'bin'), { recursive: true });
  cpSync(path.join(src.zookeeperDir, 'conf'), path.join(dir, 'zookeeper', 'conf'), { recursive: true });
  cpSync(zookeeperLib, path.join(dir, 'zookeeper', 'lib'), { recursive: true });
  mkdirSync(path.join(dir, 'soft'));
  linkOrCopy(tarball, path.join(dir, 'soft', `${KAFKA_DIST_NAME}.tgz`));
  mkdirSync(path.join(dir, 'agent'));
  writeFileSync(path.join(dir, 'agent', 'agent.cjs'), agent);
  cpSync(path.join(projectPaths.nodeModules, 'kafkajs'), path.join(dir, 'node_modules', 'kafkajs'), {
    recursive: true,
  });
}

async function dockerBuild(
  docker: Docker,
  context: string,
  tag: string,
  buildargs: Record<string, string>,
  hash: string,
  logFile: string,
  progress: Progress,
): Promise<void> {
  const log: string[] = [];
  let fetched = 0;
  progress({ phase: 'image', message: `building ${tag}` });
  try {
    const stream = await docker.buildImage(
      { context, src: listFiles(context) },
      { t: tag, buildargs, rm: true, forcerm: true, labels: { [INPUTS_LABEL]: hash } },
    );
    await followStream(docker, stream, (e) => {
      const text = (e.stream ?? e.status ?? '').trimEnd();
      if (text === '') return;
      log.push(text);
      for (const line of text.split('\n')) {
        if (/^Step \d+\/\d+ :/.test(line)) progress({ phase: 'image', message: line.slice(0, 120) });
        else if (/^Get:\d+ /.test(line) && ++fetched % 25 === 0) {
          progress({ phase: 'image', message: `apt: ${fetched} packages downloaded` });
        }
      }
    });
  } catch (err) {
    writeFileSync(logFile, log.join('\n'));
    throw new AppError(500, 'image_build_failed', `Building ${tag} failed: ${messageOf(err)}`, {
      cause: err,
      details: `--- tail of ${logFile} ---\n${log.slice(-15).join('\n')}`,
    });
  }
  writeFileSync(logFile, log.join('\n'));
}

async function tagLatest(docker: Docker, image: string, repo: string): Promise<void> {
  await docker.getImage(image).tag({ repo, tag: 'latest' });
}

/**
 * Untags earlier builds of the server image so rebuilds do not fill the disk. Images still used
 * by containers stay (the engine refuses with 409), and go at the next build after those are gone.
 */
async function removeOlderBuilds(docker: Docker, repo: string, keep: string): Promise<void> {
  const images = await docker.listImages({ filters: JSON.stringify({ reference: [repo] }) });
  const stale = images
    .flatMap((i) => i.RepoTags ?? [])
    .filter((tag) => tag !== keep && tag !== `${repo}:latest` && tag.startsWith(`${repo}:`));
  for (const tag of stale)
    await docker
      .getImage(tag)
      .remove()
      .catch(() => undefined);
}

async function imageSize(docker: Docker, image: string): Promise<number> {
  return (await docker.getImage(image).inspect()).Size;
}

function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}
