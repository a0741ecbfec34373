import type { Locator, Page } from 'playwright-core';

/**
 * The sign-in page. `data-mode` on the page says how people sign in here: `open` (a name only,
 * with the "anyone can sign in as anyone" banner) or `accounts` (name and password, plus a
 * "join a class" tab with a join code).
 */
export class SignInPage {
  /** The name field. */
  readonly name: Locator;
  /** The password field (accounts mode; open mode shows it only for accounts that have one). */
  readonly password: Locator;
  /** The submit button. */
  readonly submit: Locator;
  /** The open-mode banner. */
  readonly openModeBanner: Locator;
  /** The error of the last sign-in (`signin-error-retry` inside it on a 429, with `data-seconds`). */
  readonly error: Locator;

  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
  ) {
    this.name = page.getByTestId('signin-name');
    this.password = page.getByTestId('signin-password');
    this.submit = page.getByTestId('signin-submit');
    this.openModeBanner = page.getByTestId('signin-open-mode');
    this.error = page.getByTestId('signin-error');
  }

  /** Opens the site; a visitor who is not signed in sees this page at any path. */
  async goto(path = '/'): Promise<void> {
    await this.page.goto(new URL(path, this.baseUrl).toString());
    await this.name.waitFor();
  }

  /** `open` or `accounts`. */
  async mode(): Promise<string> {
    return (await this.page.getByTestId('signin-page').getAttribute('data-mode')) ?? '';
  }

  /** Signs in (with a password when given) and waits until the sign-in page is gone. */
  async signIn(name: string, password?: string): Promise<void> {
    await this.fill(name, password);
    await this.submit.click();
    await this.page.getByTestId('signin-page').waitFor({ state: 'detached' });
  }

  /** Tries to sign in and expects a refusal; returns the error's text (401, 429 with its wait). */
  async signInRefused(name: string, password?: string): Promise<string> {
    await this.fill(name, password);
    await this.submit.click();
    await this.error.waitFor();
    return this.error.innerText();
  }

  /** Seconds the page says to wait after a 429 (0 when it says nothing). */
  async retrySeconds(): Promise<number> {
    const el = this.page.getByTestId('signin-error-retry');
    return (await el.count()) === 0 ? 0 : Number(await el.getAttribute('data-seconds'));
  }

  /** Joins a class with its code (accounts mode), creating the account, and waits until signed in. */
  async signUp(joinCode: string, name: string, password: string): Promise<void> {
    await this.fillSignUp(joinCode, name, password);
    await this.page.getByTestId('signup-submit').click();
    await this.page.getByTestId('signin-page').waitFor({ state: 'detached' });
  }

  /** Tries to join and expects a refusal (a bad code, a taken name, a short password); returns its text. */
  async signUpRefused(joinCode: string, name: string, password: string, again = password): Promise<string> {
    await this.fillSignUp(joinCode, name, password, again);
    await this.page.getByTestId('signup-submit').click();
    const problem = this.page.locator('[data-testid="signup-error"], [data-testid="signup-problem"]');
    await problem.first().waitFor();
    return problem.first().innerText();
  }

  private async fill(name: string, password?: string): Promise<void> {
    await this.name.fill(name);
    if (password === undefined) return;
    // Open mode shows the password field only on request (accounts that have one).
    if ((await this.password.count()) === 0) await this.page.getByTestId('signin-has-password').click();
    await this.password.fill(password);
  }

  private async fillSignUp(
    joinCode: string,
    name: string,
    password: string,
    again = password,
  ): Promise<void> {
    await this.page.getByTestId('signin-tab-join').click();
    await this.page.getByTestId('signup-code').fill(joinCode);
    await this.page.getByTestId('signup-name').fill(name);
    await this.page.getByTestId('signup-password').fill(password);
    await this.page.getByTestId('signup-password2').fill(again);
  }
}
