import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../server/paths.ts';
import {
  ClassPage,
  LabPage,
  OutlinePage,
  SetupPage,
  SignInPage,
  StudentWatchPage,
  TeachPage,
} from '../../web/test/pages/index.ts';
import { cleanupPrefix, dumpLogsOnFailure, testDocker } from '../integration/support/docker.ts';
import { startApp } from './support/app.ts';
import { stepOf } from './support/steps.ts';
import { launchChromium } from './support/browser.ts';

/**
 * A class through the real app in accounts mode, a real environment and real Chromium (issue
 * 11): the setup link makes the admin, the admin an instructor, the instructor a class; a student
 * joins with the code and passes an exercise on their cluster; the instructor's grid shows it
 * within 2 s, the instructor watches the student's terminal (sees it, cannot type into it) and
 * downloads the gradebook with the student's row. Three browser contexts: three people.
 */
const PREFIX = 'kltest-e2e-class';
const shots = path.join(projectRoot, 'test-results', 'e2e-classroom');
const docker = testDocker();
const PASSWORD = 'a long enough password';
let app: Awaited<ReturnType<typeof startApp>>;
let browser: Browser;
const contexts: BrowserContext[] = [];
let admin: Page;
let teacher: Page;
let student: Page;
let classId = 0;
let joinCode = '';

async function person(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  contexts.push(context);
  return context.newPage();
}

const shot = (page: Page, name: string): Promise<Buffer> =>
  page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  await cleanupPrefix(docker, PREFIX);
  app = await startApp(PREFIX, { auth: 'accounts' });
  browser = await launchChromium();
  admin = await person();
  teacher = await person();
  student = await person();
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await app?.stop();
  await cleanupPrefix(docker, PREFIX);
});

describe('a class in the browser', () => {
  it('the setup link creates the admin once; the admin creates an instructor who sets a password', async () => {
    expect(app.setupLink).toMatch(/\/setup\?token=/);
    const setup = new SetupPage(admin, app.url);
    await setup.createAdmin(app.setupLink ?? '', 'admin', PASSWORD);
    const teach = new TeachPage(admin, app.url);
    await teach.waitForLoaded();
    expect(await teach.hasTeachLink()).toBe(true);
    // Used once: the same link refuses a second admin.
    const other = await person();
    expect(await new SetupPage(other, app.url).refused(app.setupLink ?? '', PASSWORD)).toMatch(
      /already used|used/i,
    );

    const link = await teach.createInstructor('王老师', 'Wang Wei');
    expect(link).toMatch(/\/set-password\?token=/);
    await shot(admin, '01-users');
    await new SetupPage(teacher, app.url).setPassword(link, PASSWORD);
    await new TeachPage(teacher, app.url).waitForLoaded();
  });

  it('the instructor creates a class; a student joins with its code and sees no teaching pages', async () => {
    const teach = new TeachPage(teacher, app.url);
    ({ id: classId, joinCode } = await teach.createClass('Kafka 101', { labs: ['core-concepts'] }));
    expect(joinCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);

    const signIn = new SignInPage(student, app.url);
    await signIn.goto();
    expect(await signIn.mode()).toBe('accounts');
    await signIn.signUp(joinCode.toLowerCase(), '学生甲', PASSWORD);
    await new OutlinePage(student, app.url).waitForLoaded();
    const forbidden = new TeachPage(student, app.url);
    await forbidden.gotoForbidden();
    expect(await forbidden.isForbidden()).toBe(true);
    expect(await forbidden.hasTeachLink()).toBe(false);
    const outline = new OutlinePage(student, app.url);
    await outline.goto();
    await outline.waitForLoaded();
  });

  it('the student passes an exercise on their cluster; the grid shows it within 2 s', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    const grid = new ClassPage(teacher, app.url);
    await grid.goto(classId);
    await grid.waitForGrid();
    expect(await grid.cellStatus('学生甲', 'core-concepts', 'own-topic')).toBe('untried');

    await new OutlinePage(student, app.url).openLab('core-concepts');
    const lab = new LabPage(student, app.url);
    await lab.waitForEnvReady();
    await lab.goToStep(stepOf('core-concepts', 'own-topic'));
    const check = lab.exercise('own-topic');
    expect(await check.check()).toBe('fail');
    await grid.waitForCellStatus('学生甲', 'core-concepts', 'own-topic', 'failed', 2000);

    const term = lab.terminal('bigdata01');
    await term.open();
    await term.run(
      'kafka-topics.sh --bootstrap-server bigdata01:9092 --create --topic class-e2e --partitions 3 --replication-factor 3',
    );
    await term.waitForText('Created topic class-e2e', 60_000);
    expect(await check.check()).toBe('pass');
    // The check's answer is back in the student's page: the instructor's grid follows within 2 s.
    await grid.waitForCellStatus('学生甲', 'core-concepts', 'own-topic', 'passed', 2000);
    expect(await grid.cellInfo('学生甲', 'core-concepts', 'own-topic')).toMatchObject({ attempts: 2 });
    await shot(teacher, '02-grid');
    await shot(student, '03-student-passed');
  });

  it('the instructor watches the student’s terminal: sees the output, cannot type', async () => {
    const grid = new ClassPage(teacher, app.url);
    await grid.openStudent('学生甲');
    const watch = new StudentWatchPage(teacher, app.url);
    await watch.waitForEnvPhase('running');
    // The scrollback: what the student typed before the instructor looked.
    await watch.waitForWatchText('Created topic class-e2e');
    // Live: the student types, the instructor sees it.
    const lab = new LabPage(student, app.url);
    const term = lab.terminal('bigdata01');
    await term.run('echo watched-$((6*7))');
    await watch.waitForWatchText('watched-42');
    // The instructor types: nothing reaches the student's shell.
    await watch.typeText('echo intruder-$((6*7))');
    await watch.pressKey('Enter');
    await term.run('echo after-$((6*7))');
    await term.waitForText('after-42');
    await watch.waitForWatchText('after-42');
    expect(await term.text()).not.toContain('intruder');
    expect(await watch.watchText()).not.toContain('intruder');
    await shot(teacher, '04-watch');
    const attempts = await watch.attempts();
    expect(attempts.length).toBe(2);
    await shot(teacher, '05-student-page');
  });

  it('downloads the gradebook CSV with the student’s row', async () => {
    const grid = new ClassPage(teacher, app.url);
    await grid.goto(classId);
    await grid.waitForGrid();
    const csv = await grid.gradebookCsv();
    const rows = parse<Record<string, string>>(csv, { bom: true, columns: true });
    const row = rows.find((r) => r.name === '学生甲');
    expect(row).toBeDefined();
    expect(row?.['core-concepts/own-topic']).not.toBe('');
    expect(Number(row?.['core-concepts/own-topic'])).toBeGreaterThan(0);
    expect(Number(row?.total)).toBe(Number(row?.['core-concepts/own-topic']));
    await shot(teacher, '06-dashboard');
  });
});
