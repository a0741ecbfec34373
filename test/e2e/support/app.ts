import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../server/config.ts';
import { serve } from '../../../server/main.ts';

/** The real app (real engine, real environments) on a free loopback port, with its own data. */
export async function startApp(prefix: string): Promise<{ url: string; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    KAFKALAB_HOST: '127.0.0.1',
    KAFKALAB_PREFIX: prefix,
    KAFKALAB_DATA_DIR: dataDir,
    KAFKALAB_LOG_LEVEL: 'warn',
  });
  const { app, url } = await serve(config, (e) => console.error(`[app] ${e.phase}: ${e.message}`));
  return {
    url: url.replace(/\/$/, ''),
    stop: async () => {
      await app.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
