import type { Page } from 'playwright-core';

/** A class as created from the dashboard. */
export interface CreatedClassInfo {
  id: number;
  joinCode: string;
}

/** Options of TeachPage.createClass. */
export interface CreateClassOptions {
  /** Lab ids to keep ticked (default: every lab, as the form starts). */
  labs?: string[];
  /** Due dates as YYYY-MM-DD by lab id. */
  due?: Record<string, string>;
}

/** The instructor's dashboard `/teach` (classes) and the admin's `/teach/users`. */
export class TeachPage {
  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
  ) {}

  /** Opens `/teach` and waits for the class list. */
  async goto(): Promise<void> {
    await this.page.goto(new URL('/teach', this.baseUrl).toString());
    await this.waitForLoaded();
  }

  /** Waits until the dashboard shows its classes (or says there are none). */
  async waitForLoaded(): Promise<void> {
    await this.page.getByTestId('teach-page').waitFor();
    await this.page.locator('[data-testid="class-list"], [data-testid="class-list-empty"]').first().waitFor();
  }

  /** Whether the top bar offers the Teach link (instructors and admins only). */
  async hasTeachLink(): Promise<boolean> {
    return (await this.page.getByTestId('nav-teach').count()) > 0;
  }

  /** Opens `/teach` as someone who may not (a student): waits for the 403 page. */
  async gotoForbidden(): Promise<void> {
    await this.page.goto(new URL('/teach', this.baseUrl).toString());
    await this.page.getByTestId('forbidden').waitFor();
  }

  /** Whether the page shown is the 403 page. */
  async isForbidden(): Promise<boolean> {
    return (await this.page.getByTestId('forbidden').count()) > 0;
  }

  /** Creates a class from `/teach`, lands on its page and reads its id and join code. */
  async createClass(name: string, opts: CreateClassOptions = {}): Promise<CreatedClassInfo> {
    await this.goto();
    await this.page.getByTestId('class-create-name').fill(name);
    const boxes = this.page.locator('[data-testid^="class-create-lab-"]');
    await boxes.first().waitFor();
    if (opts.labs !== undefined) {
      for (const box of await boxes.all()) {
        const id = ((await box.getAttribute('data-testid')) ?? '').replace('class-create-lab-', '');
        await box.setChecked(opts.labs.includes(id));
      }
    }
    for (const [labId, date] of Object.entries(opts.due ?? {}))
      await this.page.getByTestId(`class-create-due-${labId}`).fill(date);
    await this.page.getByTestId('class-create-submit').click();
    await this.page.getByTestId('class-join-code').waitFor();
    const id = Number(/\/teach\/classes\/(\d+)/.exec(this.page.url())?.[1]);
    const joinCode = (await this.page.getByTestId('class-join-code').innerText()).trim();
    return { id, joinCode };
  }

  /** The names of the classes listed. */
  async classNames(): Promise<string[]> {
    return this.page
      .locator('[data-testid="class-list"] > li')
      .evaluateAll((items) => items.map((li) => li.getAttribute('data-name') ?? ''));
  }

  /** Opens a class from the list by name. */
  async openClass(name: string): Promise<void> {
    const item = this.page.locator(`[data-testid="class-list"] > li[data-name="${cssString(name)}"]`);
    await item.locator('a').first().click();
    await this.page.getByTestId('class-page').waitFor();
  }

  /** Opens `/teach/users` (admins). */
  async gotoUsers(): Promise<void> {
    await this.page.goto(new URL('/teach/users', this.baseUrl).toString());
    await this.page.getByTestId('users-table').waitFor();
  }

  /** Creates an account on `/teach/users` and returns its one-time link (shown once). */
  async createUser(
    name: string,
    role: 'student' | 'instructor' | 'admin' = 'instructor',
    opts: { displayName?: string; email?: string } = {},
  ): Promise<string> {
    await this.gotoUsers();
    await this.page.getByTestId('user-create-name').fill(name);
    if (opts.displayName !== undefined)
      await this.page.getByTestId('user-create-display').fill(opts.displayName);
    if (opts.email !== undefined) await this.page.getByTestId('user-create-email').fill(opts.email);
    await this.page.getByTestId('user-create-role').selectOption(role);
    await this.page.getByTestId('user-create-submit').click();
    const link = this.page.getByTestId('user-link-url');
    await link.waitFor();
    return (await link.innerText()).trim();
  }

  /** Creates an instructor and returns the one-time link that sets their password. */
  async createInstructor(name: string, displayName?: string): Promise<string> {
    return this.createUser(name, 'instructor', displayName === undefined ? {} : { displayName });
  }

  /** A user's role and whether they set a password, from the users table. */
  async user(name: string): Promise<{ role: string; activated: boolean } | null> {
    const row = this.page.getByTestId(`user-${name}`);
    if ((await row.count()) === 0) return null;
    return {
      role: (await row.getAttribute('data-role')) ?? '',
      activated: (await row.getAttribute('data-activated')) === 'true',
    };
  }

  /** Signs out from the top bar and waits for the sign-in page. */
  async signOut(): Promise<void> {
    await this.page.getByTestId('sign-out').click();
    await this.page.getByTestId('signin-page').waitFor();
  }
}

/** Escapes a value for a CSS attribute selector in double quotes. */
export function cssString(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}
