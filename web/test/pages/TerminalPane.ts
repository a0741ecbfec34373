import type { Locator, Page } from 'playwright-core';

/** One server's terminal tab (`tab-<node>`, pane `terminal-<node>`). */
export class TerminalPane {
  /** The tab button. */
  readonly tab: Locator;
  /** The pane; `data-state` is idle, connecting, open, reconnecting, ended or error. */
  readonly root: Locator;

  constructor(
    readonly page: Page,
    readonly node: string,
  ) {
    this.tab = page.getByTestId(`tab-${node}`);
    this.root = page.getByTestId(`terminal-${node}`);
  }

  /** Shows the tab and waits until the shell is connected. */
  async open(timeoutMs = 30_000): Promise<void> {
    await this.tab.click();
    await this.page
      .locator(`[data-testid="terminal-${this.node}"][data-state="open"]`)
      .waitFor({ timeout: timeoutMs });
  }

  /** The screen's text (xterm's DOM rows), lines joined with \n. */
  async text(): Promise<string> {
    return this.root
      .locator('.xterm-rows')
      .evaluate((rows) =>
        Array.from(rows.children, (row) => (row.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()).join(
          '\n',
        ),
      );
  }

  /** Waits until the screen shows `expected`. */
  async waitForText(expected: string | RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.text();
      if (typeof expected === 'string' ? text.includes(expected) : expected.test(text)) return;
      if (Date.now() > deadline)
        throw new Error(`terminal ${this.node} did not show ${String(expected)}; it shows:\n${text}`);
      await this.page.waitForTimeout(200);
    }
  }

  /** Types text into the terminal (it takes the keyboard first). */
  async type(text: string): Promise<void> {
    await this.root.locator('.xterm').click();
    await this.page.keyboard.type(text);
  }

  /** Types a command and presses Enter. */
  async run(command: string): Promise<void> {
    await this.type(command);
    await this.page.keyboard.press('Enter');
  }

  /** Presses Reopen after the session ended. */
  async reopen(): Promise<void> {
    await this.page.getByTestId(`terminal-${this.node}-reopen`).click();
  }
}
