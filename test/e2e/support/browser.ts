import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';
/** A Chinese font, so screenshots of the bilingual pages show characters, not boxes. */
const CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

/**
 * Launches headless Chromium. When it (or a Chinese font) is missing and we are root with apt
 * (a fresh CI machine), installs Debian's `chromium` (and `fonts-wqy-microhei`) first, like the
 * engine bootstrap does for Docker. Without root, a missing font only makes screenshots poorer.
 */
export async function launchChromium(): Promise<Browser> {
  const root = process.getuid?.() === 0;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  const missing = [
    ...(existsSync(CHROMIUM) ? [] : ['chromium']),
    ...(existsSync(CJK_FONT) || !root || !apt ? [] : ['fonts-wqy-microhei']),
  ];
  if (missing.length > 0) {
    if (!root || !apt)
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)`);
    console.error(`[e2e] installing ${missing.join(', ')} with apt (one time)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
      const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
      if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status})`);
    }
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The machine has no route out: background networking would only produce refused connections.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
