import express, { Router } from 'express';
import { z } from 'zod';
import type { EnvManager } from '../../env/EnvManager.ts';
import { NODES } from '../../env/EnvironmentBackend.ts';
import { MAX_FILE_BYTES } from '../../env/files.ts';
import { AppError } from '../../errors.ts';
import type { StudentStore } from '../../store/Store.ts';
import type { DirListing, FileView, SavedFile } from '../apiTypes.ts';
import { currentStudent, requireStudent } from '../auth.ts';
import { parse } from '../validate.ts';

const where = z.object({
  node: z.enum(NODES, { error: `node must be one of ${NODES.join(', ')}` }),
  path: z.string({ error: 'path is required' }).min(1, 'path is required'),
});

/** Files on the caller's servers for the editor: list a directory, read, write (text only). */
export function fileRoutes(store: StudentStore, envs: EnvManager): Router {
  const r = Router();
  r.use('/files', requireStudent(store));

  r.get('/files', async (req, res) => {
    const { node, path } = parse(where, req.query, 'file request');
    const nodes = envs.nodes(currentStudent(res));
    // A file is read; a directory (readFile says so before downloading anything) is listed.
    let file;
    try {
      file = await nodes.readFile(node, path);
    } catch (err) {
      if (!(err instanceof AppError) || err.reason !== 'is_a_directory') throw err;
      res.json({ kind: 'dir', path, entries: await nodes.listDir(node, path) } satisfies DirListing);
      return;
    }
    const content = file.content.toString('utf8');
    if (file.content.includes(0) || Buffer.from(content, 'utf8').length !== file.content.length) {
      throw new AppError(
        415,
        'binary_file',
        `${file.path} is not a text file; the editor opens text files only`,
      );
    }
    res.json({ kind: 'file', path: file.path, content, mtime: file.mtime } satisfies FileView);
  });

  // The body is taken as raw bytes and checked, not decoded by express.text: decoding replaces
  // every invalid byte with U+FFFD, so a binary upload would be stored silently mangled.
  r.put('/files', express.raw({ type: () => true, limit: MAX_FILE_BYTES }), async (req, res) => {
    const { node, path } = parse(where, req.query, 'file request');
    if (!Buffer.isBuffer(req.body))
      throw new AppError(400, 'bad_request', 'Send the file content as the request body (text/plain)');
    const content = req.body;
    if (!isText(content)) {
      throw new AppError(
        415,
        'binary_file',
        'The editor saves text files only: the content must be UTF-8 text without NUL bytes',
      );
    }
    await envs.nodes(currentStudent(res)).writeFile(node, path, content);
    res.json({ path, bytes: content.length } satisfies SavedFile);
  });
  return r;
}

/** Whether bytes are valid UTF-8 text without NUL (what the editor can show and save back). */
function isText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
