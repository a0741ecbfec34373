import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../server/config.ts';
import { serve } from '../../../server/main.ts';

/**
 * The real app (real engine, real environments) on a free loopback port, with its own data.
 * Sign-in is `open` (name only) unless `auth: 'accounts'`; then `setupLink` creates the first admin.
 */
export async function startApp(
  prefix: string,
  options: { auth?: 'open' | 'accounts' } = {},
): Promise<{ url: string; setupLink: string | undefined; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    KAFKALAB_HOST: '127.0.0.1',
    KAFKALAB_PREFIX: prefix,
    KAFKALAB_DATA_DIR: dataDir,
    KAFKALAB_LOG_LEVEL: 'warn',
    KAFKALAB_AUTH: options.auth ?? 'open',
    // The browser tests watch boots from the start; a warm pool would boot two more in the background.
    KAFKALAB_POOL_READY: '0',
    KAFKALAB_POOL_INSTALL: '0',
  });
  const { app, url, setupLink } = await serve(config, (e) => console.error(`[app] ${e.phase}: ${e.message}`));
  return {
    url: url.replace(/\/$/, ''),
    setupLink: setupLink?.link,
    stop: async () => {
      await app.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
