import type { Locator, Page } from 'playwright-core';
import { TerminalPane } from './TerminalPane.ts';

/** One attempt as the student page lists it (newest first). */
export interface AttemptShown {
  labId: string;
  exerciseId: string;
  status: 'pass' | 'fail';
  message: string;
}

/** One exercise row of the student page. */
export interface ExerciseShown {
  status: 'passed' | 'failed' | 'untried';
  attempts: number;
  hints: number;
  /** passedAt - firstAttemptAt, or null. */
  timeMs: number | null;
}

/**
 * A student's page `/teach/classes/:id/students/:studentId`: environment (`student-env`,
 * `data-phase`), stop/reset, the read-only terminal (tabs `tab-<node>`, panes `terminal-<node>`
 * with `data-watch="true"`), exercises and attempts.
 */
export class StudentWatchPage {
  /** The environment card; `data-phase` is the EnvPhase. */
  readonly env: Locator;

  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
  ) {
    this.env = page.getByTestId('student-env');
  }

  /** Opens a student's page. */
  async goto(classId: number, studentId: number): Promise<void> {
    await this.page.goto(new URL(`/teach/classes/${classId}/students/${studentId}`, this.baseUrl).toString());
    await this.env.waitFor();
  }

  /** The environment phase shown. */
  async envPhase(): Promise<string> {
    return (await this.env.getAttribute('data-phase')) ?? '';
  }

  /** Waits until the environment shows `phase`. */
  async waitForEnvPhase(phase: string, timeoutMs = 120_000): Promise<void> {
    await this.page
      .locator(`[data-testid="student-env"][data-phase="${phase}"]`)
      .waitFor({ timeout: timeoutMs });
  }

  /** A server's read-only terminal (open() waits for the connection). */
  terminal(node = 'bigdata01'): TerminalPane {
    return new TerminalPane(this.page, node);
  }

  /** Connects the watch terminal of a server and returns its screen's text. */
  async watchText(node = 'bigdata01'): Promise<string> {
    const term = this.terminal(node);
    await term.open();
    return term.text();
  }

  /** Waits until the watch terminal shows `expected`. */
  async waitForWatchText(expected: string | RegExp, node = 'bigdata01', timeoutMs = 30_000): Promise<void> {
    const term = this.terminal(node);
    await term.open();
    await term.waitForText(expected, timeoutMs);
  }

  /** Clicks into the watch terminal and presses a key (it must not reach the student's shell). */
  async pressKey(key: string, node = 'bigdata01'): Promise<void> {
    await this.page.getByTestId(`terminal-${node}`).locator('.xterm').click();
    await this.page.keyboard.press(key);
  }

  /** Types text into the watch terminal (it must not reach the student's shell). */
  async typeText(text: string, node = 'bigdata01'): Promise<void> {
    await this.page.getByTestId(`terminal-${node}`).locator('.xterm').click();
    await this.page.keyboard.type(text);
  }

  /** Stops the student's environment, confirming the dialog. */
  async stopEnv(): Promise<void> {
    await this.envAction('student-env-stop');
  }

  /** Resets the student's environment, confirming the dialog. */
  async resetEnv(): Promise<void> {
    await this.envAction('student-env-reset');
  }

  /** The attempts listed, newest first. */
  async attempts(): Promise<AttemptShown[]> {
    await this.page.getByTestId('student-attempts').waitFor();
    return this.page
      .locator('[data-testid="student-attempts"] li[data-testid^="attempt-"]')
      .evaluateAll((items) =>
        items.map((li) => ({
          labId: li.getAttribute('data-lab') ?? '',
          exerciseId: li.getAttribute('data-exercise') ?? '',
          status: li.getAttribute('data-status') as 'pass' | 'fail',
          message: li.querySelector('.attempt-message')?.textContent ?? '',
        })),
      );
  }

  /** Waits until at least `n` attempts are listed (the page refreshes on the student's activity). */
  async waitForAttempts(n: number, timeoutMs = 30_000): Promise<void> {
    await this.page
      .locator(`[data-testid="student-attempts"] li[data-testid="attempt-${n - 1}"]`)
      .waitFor({ timeout: timeoutMs });
  }

  /** One exercise's row: status, attempts, hints, time to pass. */
  async exercise(labId: string, exerciseId: string): Promise<ExerciseShown> {
    const id = `student-ex-${labId}-${exerciseId}`;
    const row = this.page.getByTestId(id);
    await row.waitFor();
    const ms = await this.page.getByTestId(`${id}-time`).getAttribute('data-ms');
    return {
      status: (await row.getAttribute('data-status')) as ExerciseShown['status'],
      attempts: Number(await this.page.getByTestId(`${id}-attempts`).innerText()),
      hints: Number(await this.page.getByTestId(`${id}-hints`).innerText()),
      timeMs: ms === null || ms === '' ? null : Number(ms),
    };
  }

  private async envAction(button: string): Promise<void> {
    await this.page.getByTestId(button).click();
    await this.page.getByTestId('confirm-ok').click();
    await this.page
      .locator('[data-testid="student-env-done"], [data-testid="student-env-error"]')
      .first()
      .waitFor({ timeout: 120_000 });
  }
}
