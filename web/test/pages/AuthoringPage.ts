import type { Page } from 'playwright-core';

/** A validation problem as listed. */
export interface ProblemShown {
  file: string;
  line: number;
  message: string;
}

/** Authoring: `/teach/labs` (status, problems) and `/teach/labs/:id` (the preview with answer keys). */
export class AuthoringPage {
  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
  ) {}

  /** Opens `/teach/labs`. */
  async goto(): Promise<void> {
    await this.page.goto(new URL('/teach/labs', this.baseUrl).toString());
    await this.page.getByTestId('authoring-labs').waitFor();
  }

  /** The labs listed with their problem counts. */
  async labs(): Promise<{ id: string; problems: number }[]> {
    return this.page.locator('[data-testid^="authoring-lab-"]').evaluateAll((rows) =>
      rows.map((tr) => ({
        id: (tr.getAttribute('data-testid') ?? '').replace('authoring-lab-', ''),
        problems: Number(tr.getAttribute('data-problems')),
      })),
    );
  }

  /** The problems listed on the page shown (the whole load on /teach/labs, the lab's on a preview). */
  async problems(): Promise<ProblemShown[]> {
    return this.page.locator('[data-testid^="problem-"]').evaluateAll((items) =>
      items.map((li) => ({
        file: li.getAttribute('data-file') ?? '',
        line: Number(li.getAttribute('data-line')),
        message: li.querySelector('.problem-message')?.textContent ?? '',
      })),
    );
  }

  /** The labs version shown (it goes up on every reload). */
  async version(): Promise<number> {
    return Number(await this.page.getByTestId('authoring-version').getAttribute('data-version'));
  }

  /** Waits until the page shows a version above `n` (after a file under labs/ changed). */
  async waitForVersionAbove(n: number, timeoutMs = 30_000): Promise<void> {
    await this.page.waitForFunction(
      (v) =>
        Number(document.querySelector('[data-testid="authoring-version"]')?.getAttribute('data-version')) > v,
      n,
      { timeout: timeoutMs },
    );
  }

  /** Opens a lab's preview. */
  async openPreview(labId: string): Promise<void> {
    await this.page.goto(new URL(`/teach/labs/${encodeURIComponent(labId)}`, this.baseUrl).toString());
    await this.page.getByTestId('preview').waitFor();
  }

  /** Shows step `index` (0-based) of the preview. */
  async goToStep(index: number): Promise<void> {
    await this.page.getByTestId(`step-nav-${index}`).click();
    await this.page.locator(`[data-testid="step"][data-step="${index}"]`).waitFor();
  }

  /** Shows the step that holds an exercise (its answer key panel `key-<id>`), stepping through the preview. */
  async showExercise(exerciseId: string): Promise<void> {
    const panel = this.page.getByTestId(`key-${exerciseId}`);
    if ((await panel.count()) > 0) return;
    const steps = await this.page.locator('[data-testid^="step-nav-"]').count();
    for (let i = 0; i < steps; i++) {
      await this.goToStep(i);
      if ((await panel.count()) > 0) return;
    }
    throw new Error(`no step of this preview holds exercise ${exerciseId}`);
  }

  /** An exercise's check parameters as shown (parsed JSON). */
  async params(exerciseId: string): Promise<unknown> {
    await this.showExercise(exerciseId);
    return JSON.parse(await this.page.getByTestId(`key-${exerciseId}-params`).innerText()) as unknown;
  }

  /** Every hint of an exercise. */
  async hints(exerciseId: string): Promise<string[]> {
    await this.showExercise(exerciseId);
    const list = this.page.getByTestId(`key-${exerciseId}-hints`);
    return (await list.count()) === 0 ? [] : list.locator('li').allInnerTexts();
  }

  /** Runs a check against the caller's own environment; returns the outcome and message shown. */
  async runCheck(exerciseId: string, timeoutMs = 120_000): Promise<{ status: string; message: string }> {
    const id = `key-${exerciseId}`;
    await this.showExercise(exerciseId);
    await this.page.getByTestId(`${id}-run`).click();
    const shown = this.page.locator(`[data-testid="${id}-result"], [data-testid="${id}-error"]`);
    await shown.first().waitFor({ timeout: timeoutMs });
    await this.page.waitForFunction(
      (i) => document.querySelector(`[data-testid="${i}-run"]`)?.getAttribute('aria-busy') !== 'true',
      id,
      { timeout: timeoutMs },
    );
    const result = this.page.getByTestId(`${id}-result`);
    if ((await result.count()) === 0)
      return { status: 'error', message: await this.page.getByTestId(`${id}-error`).innerText() };
    return {
      status: (await result.getAttribute('data-result')) ?? '',
      message: (await result.locator('.exercise-message').innerText()).trim(),
    };
  }
}
