import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { AppError } from './errors.ts';
import { listFiles } from './images/files.ts';
import { projectPaths, projectRoot } from './paths.ts';
import type { Progress } from './progress.ts';

/**
 * Builds the browser app with vite when dist/web is missing or older than a source file, so
 * `npm start` on a fresh checkout serves a current app without a separate build step.
 */
export async function ensureWebBuild(progress: Progress): Promise<void> {
  const index = path.join(projectPaths.webDist, 'index.html');
  const srcDir = path.join(projectRoot, 'web');
  if (!existsSync(path.join(srcDir, 'index.html'))) {
    progress({ phase: 'web', message: 'no browser app sources (web/index.html): serving the API only' });
    return;
  }
  const newest = Math.max(
    ...listFiles(srcDir)
      .filter((f) => !f.startsWith('dev/') && !f.startsWith('test/'))
      .map((f) => statSync(path.join(srcDir, f)).mtimeMs),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= newest) return;
  progress({ phase: 'web', message: 'building the browser app (vite build)' });
  const output: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(projectRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'],
      {
        cwd: projectRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (b: Buffer) => output.push(b.toString()));
    child.stderr.on('data', (b: Buffer) => output.push(b.toString()));
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    throw new AppError(500, 'web_build_failed', 'Building the browser app failed', {
      details: output.join('').split('\n').slice(-15).join('\n'),
    });
  }
  progress({ phase: 'web', message: 'browser app built' });
}
