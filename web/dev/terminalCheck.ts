// Exercises the terminal against the fake server: resume of a stopped environment, flow control
// under a flood of output, reattach after a dropped socket (no doubled output), exit + Reopen,
// and replay after a page reload. Run the fake server with FAKE_MODE=install, then:
//   npx tsx web/dev/terminalCheck.ts http://127.0.0.1:5177
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { LabPage, SignInPage } from '../test/pages/index.ts';

const base = process.argv[2] ?? 'http://127.0.0.1:5177';
const shots = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');

async function main(): Promise<void> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => console.error('pageerror', e.message));
  // Keep a handle on every socket so the check can drop one, like a network blip would.
  await page.addInitScript(() => {
    const Original = window.WebSocket;
    const sockets: WebSocket[] = [];
    (window as unknown as { sockets: WebSocket[] }).sockets = sockets;
    window.WebSocket = class extends Original {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    };
  });
  const sent: string[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', (f) => {
      if (typeof f.payload === 'string') sent.push(f.payload);
    }),
  );

  const signIn = new SignInPage(page, base);
  await signIn.goto('/labs/install');
  await signIn.signIn(`terminal-check-${Date.now() % 100000}`);
  await page.getByTestId('env-booting').waitFor();
  console.error('boot heading:', await page.locator('.env-booting h2').innerText());
  const lab = new LabPage(page, base);
  await lab.waitForEnvReady(20_000);
  const term = lab.terminal('bigdata01');
  await page.locator('[data-testid="terminal-bigdata01"][data-state="open"]').waitFor();

  await term.run('seq 150000');
  await term.waitForText(/^150000$/m, 60_000);
  const flow = sent.filter((c) => c.includes('"pause"') || c.includes('"resume"'));
  console.error(`flow control: ${flow.length} pause/resume frames`);

  await term.run('echo marker-1');
  await term.waitForText('marker-1');
  await page.evaluate(() => {
    for (const ws of (window as unknown as { sockets: WebSocket[] }).sockets) {
      if (ws.url.includes('/ws/terminal') && ws.readyState === WebSocket.OPEN) ws.close(4001);
    }
  });
  await page.locator('[data-testid="terminal-bigdata01"][data-state="open"]').waitFor({ timeout: 10_000 });
  await term.run('echo marker-2');
  await term.waitForText('marker-2');
  const markers = ((await term.text()).match(/marker-1/g) ?? []).length;
  console.error(`after reattach marker-1 shows ${markers} times (2 = command + output, not doubled)`);
  await page.screenshot({ path: join(shots, '30-terminal-reattached.png') });

  await term.run('exit');
  await page.locator('[data-testid="terminal-bigdata01"][data-state="ended"]').waitFor({ timeout: 5000 });
  await page.screenshot({ path: join(shots, '31-terminal-ended.png') });
  await term.reopen();
  await term.waitForText('Welcome to bigdata01');
  console.error('reopen: new shell');

  await term.run('echo marker-3');
  await term.waitForText('marker-3');
  await page.reload();
  await lab.waitForEnvReady(20_000);
  await page.locator('[data-testid="terminal-bigdata01"][data-state="open"]').waitFor({ timeout: 10_000 });
  await term.waitForText('marker-3');
  console.error('reload: same shell, output replayed');
  console.error(`resize frames sent: ${sent.filter((c) => c.includes('"resize"')).length}`);
  await browser.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
