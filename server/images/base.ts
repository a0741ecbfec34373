import { createReadStream, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { aptInstall, type HostOps } from '../docker/engine.ts';
import { AppError, messageOf } from '../errors.ts';
import type { Progress } from '../progress.ts';
import { followStream } from './stream.ts';

/**
 * Local tag of the Debian bookworm rootfs built with mmdebstrap when no base image can be pulled:
 * next to the server image's repository (kafkalab/node -> kafkalab/base:bookworm).
 */
export function fallbackBase(imageRepo: string): string {
  const slash = imageRepo.lastIndexOf('/');
  return `${slash < 0 ? '' : imageRepo.slice(0, slash + 1)}base:bookworm`;
}

/** Options of `ensureBaseImage`. */
export interface BaseImageOptions {
  /** The configured base, e.g. `debian:bookworm-slim`. */
  readonly configured: string;
  /** Tag for a locally built base (see fallbackBase). */
  readonly fallback: string;
  readonly cacheDir: string;
  readonly logDir: string;
  /** Debian mirror for mmdebstrap; empty for its default. */
  readonly mirror: string;
  readonly host: HostOps;
  readonly progress: Progress;
  /** Give up pulling after this long (a registry that never answers must not hang the build). */
  readonly pullTimeoutMs?: number;
}

/** The base image the server image is built FROM, and how it was obtained. */
export interface BaseImage {
  readonly ref: string;
  readonly id: string;
  readonly source: 'present' | 'pulled' | 'built';
}

/**
 * Finds or makes a Debian bookworm base image: the configured one if present or pullable,
 * otherwise a minbase rootfs made with mmdebstrap (installed with apt when missing and allowed)
 * and loaded with `docker import` under FALLBACK_BASE.
 */
export async function ensureBaseImage(docker: Docker, opts: BaseImageOptions): Promise<BaseImage> {
  for (const ref of [opts.configured, opts.fallback]) {
    const id = await imageId(docker, ref);
    if (id !== undefined) {
      opts.progress({ phase: 'base', message: `using ${ref} (present)` });
      return { ref, id, source: 'present' };
    }
  }

  opts.progress({ phase: 'base', message: `pulling ${opts.configured}` });
  const pullError = await tryPull(docker, opts.configured, opts.pullTimeoutMs ?? 60_000);
  if (pullError === undefined) {
    const id = await imageId(docker, opts.configured);
    if (id !== undefined) return { ref: opts.configured, id, source: 'pulled' };
  }
  opts.progress({
    phase: 'base',
    message: `cannot pull ${opts.configured} (${pullError}); building a bookworm rootfs with mmdebstrap instead`,
  });
  await buildWithMmdebstrap(docker, opts);
  const id = await imageId(docker, opts.fallback);
  if (id === undefined)
    throw new AppError(500, 'base_import_failed', `docker import did not produce ${opts.fallback}`);
  return { ref: opts.fallback, id, source: 'built' };
}

async function buildWithMmdebstrap(docker: Docker, opts: BaseImageOptions): Promise<void> {
  const log = path.join(opts.logDir, 'mmdebstrap.log');
  mkdirSync(opts.logDir, { recursive: true });
  if (!opts.host.which('mmdebstrap')) {
    if (!opts.host.isRoot() || !opts.host.which('apt-get')) {
      throw new AppError(
        503,
        'mmdebstrap_missing',
        `${opts.configured} cannot be pulled and mmdebstrap is not installed`,
        {
          details:
            'Install mmdebstrap (Debian/Ubuntu: apt-get install mmdebstrap), or make the base image available.',
        },
      );
    }
    opts.progress({ phase: 'base', message: 'installing mmdebstrap with apt' });
    await aptInstall(opts.host, ['mmdebstrap'], log, 'mmdebstrap');
  }

  const dir = path.join(opts.cacheDir, 'rootfs');
  mkdirSync(dir, { recursive: true });
  const tar = path.join(dir, 'bookworm-minbase.tar');
  rmSync(tar, { force: true });
  opts.progress({ phase: 'base', message: 'mmdebstrap: bookworm minbase (about 10-20 s)' });
  const args = [
    '--variant=minbase',
    // Like the official slim images: no docs or man pages, no recommends.
    '--dpkgopt=path-exclude=/usr/share/doc/*',
    '--dpkgopt=path-include=/usr/share/doc/*/copyright',
    '--dpkgopt=path-exclude=/usr/share/man/*',
    '--aptopt=APT::Install-Recommends "false"',
    'bookworm',
    tar,
    ...(opts.mirror ? [opts.mirror] : []),
  ];
  const code = await opts.host.run('mmdebstrap', args, log);
  if (code !== 0) {
    rmSync(tar, { force: true });
    throw new AppError(502, 'mmdebstrap_failed', `mmdebstrap failed (exit ${code})`, {
      details: `--- tail of ${log} ---\n${opts.host.readTail(log, 15)}`,
    });
  }
  const size = statSync(tar).size;
  opts.progress({
    phase: 'base',
    message: `docker import of the rootfs (${Math.round(size / 2 ** 20)} MiB)`,
  });
  const [repo, tag] = opts.fallback.split(':') as [string, string];
  try {
    const stream = await docker.importImage(createReadStream(tar), {
      repo,
      tag,
      changes: ['CMD ["/bin/bash"]'],
    });
    await followStream(docker, stream, () => undefined);
  } finally {
    rmSync(tar, { force: true });
  }
}

/** The image's id, or undefined when it is not present. */
export async function imageId(docker: Docker, ref: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch {
    return undefined;
  }
}

async function tryPull(docker: Docker, ref: string, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const stream = await docker.pull(ref);
    await Promise.race([
      followStream(docker, stream, () => undefined),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
          reject(new Error(`no answer within ${timeoutMs / 1000} s`));
        }, timeoutMs);
      }),
    ]);
    return undefined;
  } catch (err) {
    return messageOf(err).split('\n')[0];
  } finally {
    clearTimeout(timer);
  }
}
