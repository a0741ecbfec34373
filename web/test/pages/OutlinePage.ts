import type { Locator, Page } from 'playwright-core';

/** Progress of one lab as the outline shows it. */
export interface LabProgress {
  passed: number;
  exercises: number;
}

/** The course outline at `/`. */
export class OutlinePage {
  /** The course title. */
  readonly title: Locator;

  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
  ) {
    this.title = page.getByTestId('course-title');
  }

  /** Opens `/` and waits for the labs. */
  async goto(): Promise<void> {
    await this.page.goto(new URL('/', this.baseUrl).toString());
    await this.waitForLoaded();
  }

  /** Waits until the lab list is shown. */
  async waitForLoaded(): Promise<void> {
    await this.page.getByTestId('lab-list').waitFor();
  }

  /** Lab ids in course order. */
  async labIds(): Promise<string[]> {
    const ids = await this.page
      .getByTestId('lab-list')
      .locator(':scope > li')
      .evaluateAll((items) => items.map((li) => (li.getAttribute('data-testid') ?? '').replace(/^lab-/, '')));
    return ids;
  }

  /** The link that opens a lab. */
  labLink(id: string): Locator {
    return this.page.getByTestId(`lab-link-${id}`);
  }

  /** Opens a lab from the outline. */
  async openLab(id: string): Promise<void> {
    await this.labLink(id).click();
    await this.page.getByTestId('lab-page').waitFor();
  }

  /** Passed and total exercises of a lab. */
  async progress(id: string): Promise<LabProgress> {
    const el = this.page.getByTestId(`lab-${id}-progress`);
    return {
      passed: Number(await el.getAttribute('data-passed')),
      exercises: Number(await el.getAttribute('data-exercises')),
    };
  }
}
