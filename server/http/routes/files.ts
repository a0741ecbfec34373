import express, { Router } from 'express';
import { z } from 'zod';
import type { EnvManager } from '../../env/EnvManager.ts';
import { NODES, type NodeAccess } from '../../env/EnvironmentBackend.ts';
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
export function fileRoutes(store: StudentStore, envs: EnvManager, nodes: NodeAccess): Router {
  const r = Router();
  r.use('/files', requireStudent(store));

  r.get('/files', async (req, res) => {
    const { node, path } = parse(where, req.query, 'file request');
    const envId = envs.envIdOf(currentStudent(res).name);
    // A file is read; a directory (readFile says so before downloading anything) is listed.
    let file;
    try {
      file = await nodes.readFile(envId, node, path);
    } catch (err) {
      if (!(err instanceof AppError) || err.reason !== 'is_a_directory') throw err;
      res.json({ kind: 'dir', path, entries: await nodes.listDir(envId, node, path) } satisfies DirListing);
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

  r.put('/files', express.text({ type: () => true, limit: MAX_FILE_BYTES }), async (req, res) => {
    const { node, path } = parse(where, req.query, 'file request');
    if (typeof req.body !== 'string')
      throw new AppError(400, 'bad_request', 'Send the file content as the request body (text/plain)');
    const content = Buffer.from(req.body, 'utf8');
    await nodes.writeFile(envs.envIdOf(currentStudent(res).name), node, path, content);
    res.json({ path, bytes: content.length } satisfies SavedFile);
  });
  return r;
}
