import { build } from 'esbuild';

/**
 * Bundles the agent and kafkajs into one CommonJS file for the image's node (Debian bookworm's
 * node 18), so the containers need no node_modules for it.
 */
export async function bundleAgent(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no output for the agent');
  return file.text;
}
