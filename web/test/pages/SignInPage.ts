import type { Locator, Page } from 'playwright-core';

/** The sign-in page (open-classroom mode: a name, no password). */
export class SignInPage {
  /** The name field. */
  readonly name: Locator;
  /** The submit button. */
  readonly submit: Locator;

  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
  ) {
    this.name = page.getByTestId('signin-name');
    this.submit = page.getByTestId('signin-submit');
  }

  /** Opens the site; a visitor who is not signed in sees this page at any path. */
  async goto(path = '/'): Promise<void> {
    await this.page.goto(new URL(path, this.baseUrl).toString());
    await this.name.waitFor();
  }

  /** Signs in and waits until the sign-in page is gone. */
  async signIn(name: string): Promise<void> {
    await this.name.fill(name);
    await this.submit.click();
    await this.page.getByTestId('signin-page').waitFor({ state: 'detached' });
  }
}
