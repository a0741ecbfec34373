import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { cssString } from './TeachPage.ts';

/** A gradebook cell as shown. */
export interface CellInfo {
  status: 'passed' | 'failed' | 'untried';
  attempts: number;
  hints: number;
}

/** What a roster import showed. */
export interface RosterImportShown {
  /** New accounts and their one-time links (shown once). */
  created: { name: string; link: string }[];
  /** The error text (the server names refused CSV lines), or null. */
  error: string | null;
}

/**
 * A class page `/teach/classes/:id`: join code, live gradebook (`grid-row-<studentId>` with
 * `data-name`, cells `cell-<studentId>-<labId>-<exerciseId>` with `data-status`, `data-attempts`,
 * `data-hints`), the charts and the roster import.
 */
export class ClassPage {
  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
  ) {}

  /** Opens a class and waits for its gradebook. */
  async goto(classId: number): Promise<void> {
    await this.page.goto(new URL(`/teach/classes/${classId}`, this.baseUrl).toString());
    await this.waitForGrid();
  }

  /** Waits until the grid (or its "no students yet") is shown. */
  async waitForGrid(): Promise<void> {
    await this.page.getByTestId('class-page').waitFor();
    await this.page.locator('[data-testid="grid-table"], [data-testid="grid-empty"]').first().waitFor();
  }

  /** Whether the class socket is connected now (the grid is live). */
  async isLive(): Promise<boolean> {
    return (await this.page.getByTestId('grid-live').getAttribute('data-connected')) === 'true';
  }

  /** The join code shown. */
  async joinCode(): Promise<string> {
    return (await this.page.getByTestId('class-join-code').innerText()).trim();
  }

  /** Whether students may join with the code. */
  async isOpen(): Promise<boolean> {
    return (await this.page.getByTestId('class-join').getAttribute('data-open')) === 'true';
  }

  /** Opens or closes joining and waits until the page shows it. */
  async setOpen(open: boolean): Promise<void> {
    if ((await this.isOpen()) === open) return;
    await this.page.getByTestId('class-join-toggle').click();
    await this.page.locator(`[data-testid="class-join"][data-open="${open}"]`).waitFor();
  }

  /** Makes a new join code (confirming the dialog) and returns it. */
  async newJoinCode(): Promise<string> {
    const before = await this.joinCode();
    await this.page.getByTestId('class-join-new').click();
    await this.page.getByTestId('confirm-ok').click();
    await this.page.waitForFunction(
      (old) => document.querySelector('[data-testid="class-join-code"]')?.textContent?.trim() !== old,
      before,
    );
    return this.joinCode();
  }

  /** Pastes a roster CSV, imports it and reads what the page shows (links or the error). */
  async importRoster(csv: string): Promise<RosterImportShown> {
    await this.page.getByTestId('roster-csv').fill(csv);
    await this.page.getByTestId('roster-submit').click();
    const done = this.page.locator('[data-testid="roster-result"], [data-testid="roster-error"]');
    await done.first().waitFor();
    const error = this.page.getByTestId('roster-error');
    if ((await error.count()) > 0) return { created: [], error: await error.innerText() };
    const created = await this.page.locator('[data-testid^="roster-created-"]').evaluateAll((rows) =>
      rows.map((tr) => ({
        name: (tr.getAttribute('data-testid') ?? '').replace('roster-created-', ''),
        link: tr.querySelector('code')?.textContent ?? '',
      })),
    );
    return { created, error: null };
  }

  /** Presses "download links as CSV" after an import and returns the file's text. */
  async downloadRosterLinks(): Promise<string> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByTestId('roster-download').click(),
    ]);
    const path = await download.path();
    return readFile(path, 'utf8');
  }

  /** A student's id, found by their name in the grid. */
  async studentId(name: string): Promise<number> {
    const row = this.row(name);
    await row.waitFor();
    return Number(((await row.getAttribute('data-testid')) ?? '').replace('grid-row-', ''));
  }

  /** A student's grid row by name. */
  row(name: string): Locator {
    return this.page.locator(`[data-testid^="grid-row-"][data-name="${cssString(name)}"]`);
  }

  /** One cell, by student name, lab and exercise. */
  cell(name: string, labId: string, exerciseId: string): Locator {
    return this.row(name).locator(
      `td[data-lab="${cssString(labId)}"][data-exercise="${cssString(exerciseId)}"]`,
    );
  }

  /** The status of one cell. */
  async cellStatus(name: string, labId: string, exerciseId: string): Promise<CellInfo['status']> {
    return (await this.cellInfo(name, labId, exerciseId)).status;
  }

  /** Status, attempts and hints of one cell. */
  async cellInfo(name: string, labId: string, exerciseId: string): Promise<CellInfo> {
    const cell = this.cell(name, labId, exerciseId);
    await cell.waitFor();
    return {
      status: (await cell.getAttribute('data-status')) as CellInfo['status'],
      attempts: Number(await cell.getAttribute('data-attempts')),
      hints: Number(await cell.getAttribute('data-hints')),
    };
  }

  /** Waits until a cell shows `status` (the grid updates live). */
  async waitForCellStatus(
    name: string,
    labId: string,
    exerciseId: string,
    status: CellInfo['status'],
    timeoutMs = 30_000,
  ): Promise<void> {
    await this.cell(name, labId, exerciseId)
      .and(this.page.locator(`[data-status="${status}"]`))
      .waitFor({ timeout: timeoutMs });
  }

  /** Shows one lab's columns (null: all labs). */
  async filterLab(labId: string | null): Promise<void> {
    await this.page.getByTestId('grid-lab-filter').selectOption(labId ?? '');
  }

  /** The exercise columns shown, as `labId/exerciseId`. */
  async columns(): Promise<string[]> {
    return this.page
      .locator('[data-testid^="grid-col-"]')
      .evaluateAll((ths) => ths.map((th) => (th.getAttribute('data-testid') ?? '').replace('grid-col-', '')));
  }

  /** A pass-rate bar's value (percent), or null when the chart has no such bar. */
  async passRate(labId: string, exerciseId: string): Promise<number | null> {
    const bar = this.page.getByTestId(`chart-pass-rate-bar-${labId}-${exerciseId}`);
    return (await bar.count()) === 0 ? null : Number(await bar.getAttribute('data-value'));
  }

  /** The most-failed chart's exercises in their order, as `labId-exerciseId`. */
  async mostFailed(): Promise<string[]> {
    return this.page
      .locator('[data-testid^="chart-most-failed-bar-"]')
      .evaluateAll((bars) =>
        bars.map((g) => (g.getAttribute('data-testid') ?? '').replace('chart-most-failed-bar-', '')),
      );
  }

  /** Downloads the gradebook CSV through the page's own link (fetch in the page, with its session). */
  async gradebookCsv(): Promise<string> {
    const href = await this.page.getByTestId('class-csv').getAttribute('href');
    if (href === null) throw new Error('the CSV link has no href');
    return this.page.evaluate(async (url) => {
      const res = await fetch(url, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
      return res.text();
    }, href);
  }

  /** Opens a student's page from the grid. */
  async openStudent(name: string): Promise<void> {
    await this.row(name).locator('a[data-testid^="grid-student-"]').click();
    await this.page.getByTestId('student-page').waitFor();
  }
}
