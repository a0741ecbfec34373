import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../server/paths.ts';
import { LabPage, OutlinePage, SignInPage } from '../../web/test/pages/index.ts';
import { cleanupPrefix, dumpLogsOnFailure, testDocker } from '../integration/support/docker.ts';
import { startApp } from './support/app.ts';
import { stepOf } from './support/steps.ts';
import { launchChromium } from './support/browser.ts';

/**
 * A student's path through the real app, real environment and real Chromium (issue 5):
 * sign in, open core-concepts, wait for the cluster, create a topic in the bigdata01 terminal,
 * see the check pass and the cluster picture show it, edit server.properties on bigdata02 in the
 * editor and find the edit with grep, reload and find the terminal session kept.
 */
const PREFIX = 'kltest-e2e';
const shots = path.join(projectRoot, 'test-results', 'e2e');
const docker = testDocker();
let app: Awaited<ReturnType<typeof startApp>>;
let browser: Browser;
let page: Page;
/** Terminal control messages the page sent (resize, pause, resume), in order. */
const sentControls: string[] = [];

const shot = async (name: string): Promise<void> => {
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
};

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  await cleanupPrefix(docker, PREFIX);
  app = await startApp(PREFIX);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('websocket', (ws) => {
    if (!ws.url().includes('/ws/terminal')) return;
    ws.on('framesent', ({ payload }) => {
      if (typeof payload === 'string') sentControls.push(payload);
    });
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await cleanupPrefix(docker, PREFIX);
});

describe('a student in the browser', () => {
  it('signs in, sees the seven labs in course order and opens core-concepts', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    const signIn = new SignInPage(page, app.url);
    await signIn.goto();
    await signIn.signIn('e2e 学生');
    const outline = new OutlinePage(page, app.url);
    await outline.waitForLoaded();
    expect(await outline.labIds()).toEqual([
      'mq-basics',
      'use-cases',
      'mq-systems',
      'kafka-intro',
      'core-concepts',
      'install',
      'kraft',
    ]);
    await shot('01-outline');
    await outline.openLab('core-concepts');
    const lab = new LabPage(page, app.url);
    await lab.waitForEnvReady();
    expect(await lab.envPhase()).toBe('running');
    await shot('02-lab-ready');
  });

  it('creates a topic in the bigdata01 terminal; the check passes and the cluster picture shows it', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    const lab = new LabPage(page, app.url);
    await lab.goToStep(stepOf('core-concepts', 'own-topic'));
    const check = lab.exercise('own-topic');
    expect(await check.check()).toBe('fail');

    const t1 = lab.terminal('bigdata01');
    await t1.open();
    await t1.run(
      'kafka-topics.sh --bootstrap-server bigdata01:9092 --create --topic e2e --partitions 3 --replication-factor 3',
    );
    await t1.waitForText('Created topic e2e', 60_000);
    expect(await check.check()).toBe('pass');
    expect(await check.message()).toMatch(/e2e/);
    await shot('03-check-passed');

    await lab.cluster.open();
    await lab.cluster.waitForTopic('e2e');
    expect(await lab.cluster.partitionCount('e2e')).toBe(3);
    await shot('04-cluster');
  });

  it('edits server.properties on bigdata02 in the editor and finds the change with grep', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    const lab = new LabPage(page, app.url);
    const file = '/opt/apps/kafka/config/server.properties';
    const res = await page.request.get(
      `${app.url}/api/files?node=bigdata02&path=${encodeURIComponent(file)}`,
    );
    const original = ((await res.json()) as { content: string }).content;
    const edited = original.replace(/^#.*$/m, (line) => `${line} (edited in the browser: e2e-marker)`);
    expect(edited).not.toBe(original);

    await lab.editor.open();
    await lab.editor.openFile('bigdata02', file);
    expect(await lab.editor.current()).toBe(`bigdata02:${file}`);
    await lab.editor.replaceContent(edited);
    expect(await lab.editor.isDirty()).toBe(true);
    await lab.editor.save();
    expect(await lab.editor.isDirty()).toBe(false);
    await shot('05-editor-saved');

    const t2 = lab.terminal('bigdata02');
    await t2.open();
    await t2.run(`grep -c e2e-marker ${file}; grep -c '^broker.id=2$' ${file}`);
    await t2.waitForText(/\n1\n1\n/);
  });

  it('finds the terminal sessions with their output after a page reload', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    await page.reload();
    const lab = new LabPage(page, app.url);
    await lab.waitForEnvReady();
    const t2 = lab.terminal('bigdata02');
    await t2.open();
    await t2.waitForText('grep -c e2e-marker');
    const t1 = lab.terminal('bigdata01');
    await t1.open();
    await t1.waitForText('Created topic e2e');
    // Replayed from the kept session, not typed again: the command and its answer are both there.
    // (xterm wraps long lines at the pane's width, so match the line's start, not all of it)
    expect(await t1.text()).toMatch(/# kafka-topics\.sh [\s\S]*\nCreated topic e2e\./);
    expect(await t2.text()).toMatch(/# grep -c [\s\S]*\n1\n1\n/);
    await shot('06-after-reload');
  });

  it('keeps up with a flood of output (flow control) and stays responsive', async () => {
    const lab = new LabPage(page, app.url);
    const t1 = lab.terminal('bigdata01');
    await t1.open();
    const before = sentControls.length;
    // About 2 MB, with the page's CPU slowed down 20x (as on a weak laptop): xterm then parses
    // far slower than the shell writes, whatever else this machine is doing, so the page must
    // fall behind and ask for a pause (unthrottled, a fast run sometimes kept up with the flood).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 20 });
    try {
      await t1.run('seq 300000; echo flood-done');
      await t1.waitForText(/^300000\nflood-done$/m, 240_000);
    } finally {
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
      await cdp.detach();
    }
    await t1.run('echo still-here');
    await t1.waitForText(/^still-here$/m);
    // The browser's terminal fell behind and told the server so, then caught up.
    const types = sentControls.slice(before).map((m) => (JSON.parse(m) as { type: string }).type);
    expect(types).toContain('pause');
    expect(types.lastIndexOf('resume')).toBeGreaterThan(types.indexOf('pause'));
    expect(types.filter((t) => t === 'pause').length).toBe(types.filter((t) => t === 'resume').length);
  });

  it('ends a terminal with exit and offers to reopen it', async () => {
    const lab = new LabPage(page, app.url);
    const t3 = lab.terminal('bigdata03');
    await t3.open();
    await t3.run('exit');
    await page.locator('[data-testid="terminal-bigdata03"][data-state="ended"]').waitFor({ timeout: 30_000 });
    await shot('07-session-ended');
    expect(await t3.root.getAttribute('data-state')).toBe('ended');
    await t3.reopen();
    await t3.run('hostname');
    await t3.waitForText(/\nbigdata03\n/);
    expect(await t3.root.getAttribute('data-state')).toBe('open');
  });
});
