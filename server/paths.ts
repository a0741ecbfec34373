import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root (holds docker/, labs/, web/). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Well-known folders of the checkout. */
export const projectPaths = {
  docker: path.join(projectRoot, 'docker'),
  labs: path.join(projectRoot, 'labs'),
  agentEntry: path.join(projectRoot, 'agent', 'main.ts'),
  nodeModules: path.join(projectRoot, 'node_modules'),
  webDist: path.join(projectRoot, 'dist', 'web'),
} as const;
