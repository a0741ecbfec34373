import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { AppError, badRequest } from '../errors.ts';

/** Largest file the editor may read or write (server.properties is 7 KB; logs belong in the terminal). */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Where students may read and write: their home, the course's /opt folders, shell settings, /tmp. */
const ALLOWED_ROOTS = ['/root', '/opt', '/etc/profile.d', '/tmp', '/home'];
/** Inside the allowed roots, but the platform's own: editing them would break checks or the image. */
const DENIED_ROOTS = ['/opt/kafkalab', '/opt/zookeeper/lib'];

const within = (p: string, root: string): boolean => p === root || p.startsWith(`${root}/`);

/**
 * Validates a path in a server for reading or writing: absolute, no `..`, no NUL, normalised,
 * under the allowed roots. Returns it without a trailing slash.
 */
export function checkServerPath(p: unknown): string {
  if (typeof p !== 'string' || p === '') throw badRequest('A file path is required');
  if (p.length > 1024) throw badRequest('The file path is longer than 1024 characters');
  if (p.includes('\0')) throw badRequest('The file path contains a NUL character');
  if (!p.startsWith('/')) throw badRequest(`The file path must be absolute: ${p}`);
  if (p.split('/').includes('..')) throw badRequest(`The file path must not contain "..": ${p}`);
  const clean = p.length > 1 ? p.replace(/\/+$/, '') : p;
  if (path.posix.normalize(clean) !== clean) throw badRequest(`The file path is not normalised: ${p}`);
  if (!ALLOWED_ROOTS.some((r) => within(clean, r)) || DENIED_ROOTS.some((r) => within(clean, r))) {
    throw new AppError(403, 'path_not_allowed', `${clean} is outside the folders the editor may open`, {
      details: `Allowed: ${ALLOWED_ROOTS.join(', ')} (except ${DENIED_ROOTS.join(', ')})`,
    });
  }
  return clean;
}

/** One file for a tar archive sent to the engine's archive API. */
export interface TarEntry {
  readonly name: string;
  readonly content?: string | Buffer;
  readonly mode: number;
  readonly type?: 'file' | 'directory';
}

/** Packs entries into a tar buffer (owned by root). */
export async function packTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type === 'directory') {
      pack.entry({ name: e.name, type: 'directory', mode: e.mode, uid: 0, gid: 0 });
    } else {
      pack.entry({ name: e.name, mode: e.mode, uid: 0, gid: 0, mtime: new Date() }, e.content ?? '');
    }
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Reads the first regular file out of a tar stream (the engine's archive API answer), up to a limit. */
export async function firstFileOfTar(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const extract = tar.extract();
  const source = stream instanceof Readable ? stream : Readable.from(stream as AsyncIterable<Buffer>);
  source.pipe(extract);
  for await (const entry of extract) {
    if (entry.header.type !== 'file') {
      entry.resume();
      continue;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of entry as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        source.unpipe(extract);
        extract.destroy();
        throw new AppError(413, 'file_too_large', `The file is larger than ${limit} bytes`);
      }
      chunks.push(chunk);
    }
    extract.destroy();
    return Buffer.concat(chunks);
  }
  throw new AppError(404, 'file_not_found', 'The archive holds no regular file');
}
