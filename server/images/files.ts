import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';

/** Every regular file below `dir`, as paths relative to it, sorted (stable hashing and copying). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/**
 * A content hash over named parts: strings, buffers, or files and directories on disk (name,
 * mode and content of every file). Used to tag images by their inputs, so unchanged inputs are
 * recognised without rebuilding anything.
 */
export class InputHash {
  private readonly hash = createHash('sha256');

  /** Adds a literal value under a label. */
  value(label: string, value: string | Buffer): this {
    this.hash.update(`${label}\0${value.length}\0`).update(value).update('\0');
    return this;
  }

  /** Adds one file (content and executable bit). */
  file(label: string, file: string): this {
    const exec = (statSync(file).mode & 0o111) !== 0 ? 'x' : '-';
    return this.value(`${label}:${exec}`, readFileSync(file));
  }

  /** Adds every file below a directory. */
  dir(label: string, dir: string): this {
    for (const rel of listFiles(dir)) this.file(`${label}/${rel}`, path.join(dir, rel));
    return this;
  }

  /** The first `length` hex digits of the digest. */
  digest(length = 12): string {
    return this.hash.digest('hex').slice(0, length);
  }
}

/** Fails with how much is needed when the filesystem holding `dir` has less than `neededBytes` free. */
export function requireFreeSpace(dir: string, neededBytes: number, what: string): void {
  const free = freeBytes(dir);
  if (free < neededBytes) {
    throw new AppError(507, 'disk_full', `Not enough disk space for ${what}`, {
      details: `${what} needs about ${gib(neededBytes)} free in ${dir}; there are ${gib(free)}.`,
    });
  }
}

/** Bytes available to us on the filesystem holding `dir`. */
export function freeBytes(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}

/** Bytes as GiB with one decimal, for messages. */
export function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
