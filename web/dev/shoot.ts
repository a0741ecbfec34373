// Drives the built app against web/dev/devServer.ts with Debian's Chromium, takes screenshots and
// measures the first-load size. Run: npx tsx web/dev/shoot.ts <baseUrl> [scenario]
// Scenarios: main (default), fail (KAFKALAB_DEV_BOOT=fail), engine (KAFKALAB_DEV_ENGINE=down),
// mismatch, narrow.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { LabPage, OutlinePage, SignInPage } from '../test/pages/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const shots = join(here, 'screenshots');
const dist = join(here, '..', '..', 'dist', 'web');
const base = process.argv[2] ?? 'http://127.0.0.1:5174';
const scenario = process.argv[3] ?? 'main';

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
  console.error(`screenshot ${name}.png`);
}

function firstLoadReport(urls: string[]): void {
  let raw = 0;
  let gz = 0;
  for (const url of urls) {
    const path = new URL(url).pathname;
    if (!/\.(js|css)$/.test(path)) continue;
    const bytes = readFileSync(join(dist, path));
    raw += bytes.length;
    const z = gzipSync(bytes, { level: 9 }).length;
    gz += z;
    console.error(`  first load: ${path} ${bytes.length} B raw, ${z} B gzip`);
  }
  console.error(`FIRST LOAD JS+CSS: ${raw} B raw, ${gz} B gzip (${(gz / 1024).toFixed(1)} KiB)`);
}

let failurePage: Page | null = null;

async function main(): Promise<void> {
  await mkdir(shots, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const narrow = scenario === 'narrow';
  const context = await browser.newContext({
    viewport: narrow ? { width: 420, height: 900 } : { width: 1440, height: 900 },
    locale: 'zh-CN',
  });
  const page = await context.newPage();
  failurePage = page;
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning')
      problems.push(`console.${msg.type()}: ${msg.text()}`);
  });
  const assets: string[] = [];
  page.on('request', (req) => {
    if (req.url().includes('/assets/')) assets.push(req.url());
  });

  const signIn = new SignInPage(page, base);
  await signIn.goto();
  if (scenario === 'main') await shot(page, '01-signin-zh');
  await signIn.signIn(`student-${scenario}-${Date.now() % 100000}`);
  const outline = new OutlinePage(page, base);
  await outline.waitForLoaded();
  if (scenario === 'main') await shot(page, '02-outline-zh', true);

  const lab = new LabPage(page, base);
  if (scenario === 'mismatch') {
    // A ready environment first, then a lab of the other mode.
    await outline.openLab('core-concepts');
    await lab.waitForEnvReady(20_000);
    await outline.goto();
  }
  const labId = scenario === 'fail' ? 'core-concepts' : 'install';
  await outline.openLab(labId);

  if (scenario === 'engine') {
    await page.getByTestId('env-engine-down').waitFor();
    await page.locator('.notice-details summary').click();
    await shot(page, '20-engine-down');
    return finish();
  }
  if (scenario === 'mismatch') {
    await page.getByTestId('env-mode-mismatch').waitFor();
    await shot(page, '21-mode-mismatch');
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('env-reset').click();
    await page.getByTestId('env-progress').waitFor();
    await page.waitForTimeout(900);
    await shot(page, '22-mismatch-reset-booting');
    await lab.waitForEnvReady(20_000);
    return finish();
  }
  if (scenario === 'fail') {
    await page.getByTestId('env-failed').waitFor({ timeout: 20_000 });
    await page.locator('.env-failed .notice-details summary').click();
    await shot(page, '23-boot-failed');
    await lab.goToStep(1);
    const ex = lab.exercise('own-topic');
    console.error(`check while the environment is down -> ${await ex.check()}`);
    await shot(page, '24-check-error');
    return finish();
  }

  await page.getByTestId('env-progress').waitFor();
  await page.waitForTimeout(1300);
  await shot(page, narrow ? '40-narrow-booting' : '03-lab-booting');
  await lab.waitForEnvReady(20_000);
  const term = lab.terminal('bigdata01');
  await page.locator('[data-testid="terminal-bigdata01"][data-state="open"]').waitFor();
  await term.run('echo hello');
  await term.waitForText('bigdata01$ echo hello');
  if (narrow) {
    await shot(page, '41-narrow-ready');
    return finish();
  }
  await shot(page, '04-lab-ready-terminal');

  // quiz on step 0
  const quiz = lab.exercise('why-zookeeper');
  await quiz.choose([0]);
  console.error(`quiz wrong -> ${await quiz.check()}`);
  if (await page.getByTestId('exercise-why-zookeeper-hint').isEnabled()) await quiz.showHint();
  await quiz.choose([1]);
  console.error(`quiz right -> ${await quiz.check()}`);
  await quiz.root.scrollIntoViewIfNeeded();
  await shot(page, '05-quiz-pass');

  // a check (file type) on step 2: fails first
  await lab.goToStep(2);
  const unpacked = lab.exercise('unpacked');
  console.error(`check unpacked -> ${await unpacked.check()} (${await unpacked.message()})`);
  if (await page.getByTestId('exercise-unpacked-hint').isEnabled()) await unpacked.showHint();
  await unpacked.root.scrollIntoViewIfNeeded();
  await shot(page, '06-check-result');

  // a check that fails then passes, and a paste into the terminal
  await lab.goToStep(3);
  await page.getByTestId('paste-code-0').click();
  await term.waitForText('vim /etc/profile.d/hadoop-etc.sh');
  await shot(page, '07-paste-into-terminal');

  firstLoadReport(assets);
  if (assets.some((a) => a.includes('monacoEditor')))
    console.error('PROBLEM: Monaco loaded before the Editor tab');

  // editor
  await lab.editor.open();
  await lab.editor.openFile('bigdata01', '/opt/apps/kafka/config/server.properties');
  await page.waitForTimeout(400);
  await shot(page, '08-editor-open');
  await lab.editor.replaceContent('broker.id=7\nlog.dirs=/opt/data/kafka\n');
  console.error(`dirty after edit: ${await lab.editor.isDirty()}`);
  await shot(page, '09-editor-dirty');
  await page.keyboard.press('ControlOrMeta+S');
  await page.getByTestId('editor-status').waitFor();
  console.error(`dirty after Ctrl+S: ${await lab.editor.isDirty()}`);
  await lab.editor.openFile('bigdata01', '/opt/soft/kafka_2.13-3.9.2.tgz');
  console.error(`binary: ${await lab.editor.error.innerText()}`);
  await shot(page, '10-editor-binary-error');
  await lab.editor.openFile('bigdata02', '/root/producer.js');
  await page.waitForTimeout(300);
  console.error(`visible: ${(await lab.editor.visibleText()).slice(0, 60)}`);

  // cluster: an install-mode environment has no brokers yet
  await lab.cluster.open();
  await page.locator('[data-testid="cluster-pane"][data-state="down"]').waitFor();
  await shot(page, '11-cluster-down');

  // English
  await lab.setLang('en');
  await lab.goToStep(0);
  await shot(page, '12-lab-en');
  await outline.goto();
  await shot(page, '13-outline-en', true);
  console.error(`progress install: ${JSON.stringify(await outline.progress('install'))}`);

  // a ready-mode lab: mode mismatch, reset, then a live cluster
  await outline.openLab('core-concepts');
  await page.getByTestId('env-mode-mismatch').waitFor();
  await shot(page, '14-mode-mismatch');
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('env-reset').click();
  await page.getByTestId('env-progress').waitFor();
  await page.waitForTimeout(1800);
  await shot(page, '15-ready-mode-booting');
  await lab.waitForEnvReady(20_000);
  await lab.cluster.open();
  await lab.cluster.waitForTopic('orders');
  console.error(`orders partitions: ${await lab.cluster.partitionCount('orders')}`);
  console.error(`brokers: ${JSON.stringify(await lab.cluster.brokers())}`);
  await shot(page, '16-cluster');
  await lab.cluster.showInternal(true);
  await page.getByTestId('group-order-service').locator('summary').click();
  await shot(page, '17-cluster-internal-groups');
  await lab.goToStep(1);
  const ex = lab.exercise('own-topic');
  console.error(`own-topic -> ${await ex.check()}`);
  return finish();

  async function finish(): Promise<void> {
    console.error(problems.length === 0 ? 'no page errors' : `PROBLEMS:\n${problems.join('\n')}`);
    await browser.close();
  }
}

main().catch(async (err: unknown) => {
  console.error(err);
  await failurePage?.screenshot({ path: join(shots, 'zz-failure.png') });
  process.exitCode = 1;
  process.exit();
});
