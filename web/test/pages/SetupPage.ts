import type { Page } from 'playwright-core';

/** The pages of the one-time links: `/setup?token=` (first admin) and `/set-password?token=`. */
export class SetupPage {
  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
  ) {}

  /**
   * Opens a one-time link as printed (console, roster CSV, users page). Only its path and query
   * are used, so a link printed with another host name still opens on the app under test.
   */
  async open(link: string): Promise<void> {
    const url = new URL(link, this.baseUrl);
    await this.page.goto(new URL(`${url.pathname}${url.search}`, this.baseUrl).toString());
  }

  /** Creates the first admin through the setup link and waits for the dashboard. */
  async createAdmin(link: string, name: string, password: string): Promise<void> {
    await this.open(link);
    await this.page.getByTestId('setup-name').fill(name);
    await this.page.getByTestId('setup-password').fill(password);
    await this.page.getByTestId('setup-password2').fill(password);
    await this.page.getByTestId('setup-submit').click();
    await this.page.getByTestId('teach-page').waitFor();
  }

  /**
   * Sets a password through a set-password link and waits until signed in (instructors land on
   * the dashboard, students on the outline).
   */
  async setPassword(link: string, password: string): Promise<void> {
    await this.open(link);
    await this.page.getByTestId('setpw-password').fill(password);
    await this.page.getByTestId('setpw-password2').fill(password);
    await this.page.getByTestId('setpw-submit').click();
    await this.page.getByTestId('setpw-page').waitFor({ state: 'detached' });
  }

  /** Submits a link's form expecting a refusal (a used or expired token); returns the message. */
  async refused(link: string, password: string, name = 'someone'): Promise<string> {
    await this.open(link);
    const setup = new URL(link, this.baseUrl).pathname === '/setup';
    const prefix = setup ? 'setup' : 'setpw';
    if (setup) await this.page.getByTestId('setup-name').fill(name);
    await this.page.getByTestId(`${prefix}-password`).fill(password);
    await this.page.getByTestId(`${prefix}-password2`).fill(password);
    await this.page.getByTestId(`${prefix}-submit`).click();
    const error = this.page.getByTestId(`${prefix}-error`);
    await error.waitFor();
    return error.innerText();
  }
}
