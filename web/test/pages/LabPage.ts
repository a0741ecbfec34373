import type { Locator, Page } from 'playwright-core';
import { ClusterPane } from './ClusterPane.ts';
import { EditorPane } from './EditorPane.ts';
import { TerminalPane } from './TerminalPane.ts';

/** A check's or quiz's outcome as shown: `todo` until it was checked once. */
export type Outcome = 'pass' | 'fail' | 'error' | 'todo';

/** One exercise box (`exercise-<id>`). */
export class ExerciseBox {
  /** The exercise container. */
  readonly root: Locator;
  /** The Check (or Submit answer) button. */
  readonly checkButton: Locator;
  /** The result line; its `data-result` is the outcome. */
  readonly result: Locator;

  constructor(
    readonly page: Page,
    readonly id: string,
  ) {
    this.root = page.getByTestId(`exercise-${id}`);
    this.checkButton = page.getByTestId(`exercise-${id}-check`);
    this.result = page.getByTestId(`exercise-${id}-result`);
  }

  /** Presses Check and waits until the answer is in; returns the outcome. */
  async check(timeoutMs = 60_000): Promise<Outcome> {
    await this.checkButton.click();
    await this.page.waitForFunction(
      (id) =>
        document.querySelector(`[data-testid="exercise-${id}-check"]`)?.getAttribute('aria-busy') !== 'true',
      this.id,
      { timeout: timeoutMs },
    );
    return this.outcome();
  }

  /** The outcome shown now. */
  async outcome(): Promise<Outcome> {
    return (await this.result.getAttribute('data-result')) as Outcome;
  }

  /** The result message in the current language ('' when none). */
  async message(): Promise<string> {
    return (await this.result.locator('.exercise-message').count()) === 0
      ? ''
      : await this.result.locator('.exercise-message').innerText();
  }

  /** Attempts counted so far. */
  async attempts(): Promise<number> {
    const text = await this.page.getByTestId(`exercise-${this.id}-attempts`).innerText();
    return Number(/\d+/.exec(text)?.[0] ?? 0);
  }

  /** Reveals the next hint and waits for it. */
  async showHint(): Promise<void> {
    const before = await this.hints();
    await this.page.getByTestId(`exercise-${this.id}-hint`).click();
    await this.page.waitForFunction(
      ([id, n]) => document.querySelectorAll(`[data-testid="exercise-${id}-hints"] li`).length > n,
      [this.id, before.length] as const,
    );
  }

  /** The hints revealed so far. */
  async hints(): Promise<string[]> {
    return this.page.getByTestId(`exercise-${this.id}-hints`).locator('li').allInnerTexts();
  }

  /** Selects quiz answers by index (radio buttons take one). */
  async choose(indexes: number[]): Promise<void> {
    for (const i of indexes) await this.page.getByTestId(`exercise-${this.id}-choice-${i}`).check();
  }
}

/** The lab page `/labs/:id`: chapter on the left, terminals/editor/cluster on the right. */
export class LabPage {
  /** The editor tab. */
  readonly editor: EditorPane;
  /** The cluster tab. */
  readonly cluster: ClusterPane;
  /** The header's environment status (its `data-phase` is the EnvPhase or a UI state). */
  readonly envStatus: Locator;

  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
  ) {
    this.editor = new EditorPane(page);
    this.cluster = new ClusterPane(page);
    this.envStatus = page.getByTestId('env-status');
  }

  /** Opens a lab directly. */
  async goto(labId: string): Promise<void> {
    await this.page.goto(new URL(`/labs/${encodeURIComponent(labId)}`, this.baseUrl).toString());
    await this.page.getByTestId('lab-page').waitFor();
  }

  /** Waits until the environment runs (boot progress done, terminals may connect). */
  async waitForEnvReady(timeoutMs = 300_000): Promise<void> {
    await this.page.getByTestId('env-ready').waitFor({ state: 'attached', timeout: timeoutMs });
  }

  /** The environment state shown in the header. */
  async envPhase(): Promise<string> {
    return (await this.envStatus.getAttribute('data-phase')) ?? '';
  }

  /** The idle countdown ("your servers stop in 4:05"), shown while the server warns of an idle stop. */
  get idleWarning(): Locator {
    return this.page.getByTestId('idle-warning');
  }

  /** Presses "keep working" and waits until the warning is gone. */
  async keepWorking(): Promise<void> {
    await this.page.getByTestId('idle-keep-working').click();
    await this.idleWarning.waitFor({ state: 'detached' });
  }

  /** Why the servers are not as left (its `data-reason`: idle_stopped, expired, missing). */
  get envNotice(): Locator {
    return this.page.getByTestId('env-notice');
  }

  /** The boot progress list (visible while booting or after a failure). */
  get envProgress(): Locator {
    return this.page.getByTestId('env-progress');
  }

  /** Title of the step shown now. */
  async stepTitle(): Promise<string> {
    return this.page.getByTestId('step-title').innerText();
  }

  /** Every step's title, in order. */
  async stepTitles(): Promise<string[]> {
    return this.page
      .locator('[data-testid^="step-nav-"]')
      .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-title') ?? ''));
  }

  /** Shows step `index` (0-based). */
  async goToStep(index: number): Promise<void> {
    await this.page.getByTestId(`step-nav-${index}`).click();
    await this.page.locator(`[data-testid="step"][data-step="${index}"]`).waitFor();
  }

  /** Next step. */
  async nextStep(): Promise<void> {
    await this.page.getByTestId('step-next').click();
  }

  /** An exercise on the current step. */
  exercise(id: string): ExerciseBox {
    return new ExerciseBox(this.page, id);
  }

  /** A server's terminal tab. */
  terminal(node: string): TerminalPane {
    return new TerminalPane(this.page, node);
  }

  /** Switches the chapter language (zh/en) and waits for the switch to show it. */
  async setLang(lang: 'zh' | 'en'): Promise<void> {
    await this.page.getByTestId(`lang-${lang}`).click();
    await this.page.locator(`[data-testid="lang-switch"][data-lang="${lang}"]`).waitFor();
    await this.page.locator(`article.chapter[lang="${lang === 'zh' ? 'zh-CN' : 'en'}"]`).waitFor();
  }
}
