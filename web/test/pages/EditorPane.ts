import type { Locator, Page } from 'playwright-core';

/** The Editor tab: server selector, path field, Open/Save, dirty marker, Monaco. */
export class EditorPane {
  /** The tab button. */
  readonly tab: Locator;
  /** The pane; `data-dirty` is "true" with unsaved changes. */
  readonly root: Locator;
  /** The server selector. */
  readonly node: Locator;
  /** The path field. */
  readonly path: Locator;
  /** The Open button. */
  readonly openButton: Locator;
  /** The Save button. */
  readonly saveButton: Locator;
  /** The unsaved-changes marker (present only while dirty). */
  readonly dirtyMarker: Locator;
  /** The error line (403/404/413/415 and others). */
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.tab = page.getByTestId('tab-editor');
    this.root = page.getByTestId('editor-pane');
    this.node = page.getByTestId('editor-node');
    this.path = page.getByTestId('editor-path');
    this.openButton = page.getByTestId('editor-open');
    this.saveButton = page.getByTestId('editor-save');
    this.dirtyMarker = page.getByTestId('editor-dirty');
    this.error = page.getByTestId('editor-error');
  }

  /** Shows the tab and waits for Monaco (loaded on first open) and the first folder listing. */
  async open(): Promise<void> {
    await this.tab.click();
    await this.root.locator('.monaco-editor').waitFor({ timeout: 60_000 });
    await this.page.waitForFunction(
      () =>
        document.querySelector('[data-testid="editor-browser"]') !== null ||
        document.querySelector('[data-testid="editor-error"]') !== null,
      undefined,
      { timeout: 30_000 },
    );
  }

  /** Opens a file (or folder) on a server and waits until it is shown or an error appears. */
  async openFile(node: string, path: string): Promise<void> {
    await this.node.selectOption(node);
    // Switching servers reopens the current file there; wait for that before typing the path.
    await this.page.waitForFunction(
      () => document.querySelector<HTMLButtonElement>('[data-testid="editor-open"]')?.disabled === false,
    );
    await this.path.fill(path);
    await this.openButton.click();
    await this.page.waitForFunction(
      ([n, p]) =>
        document.querySelector('[data-testid="editor-current"]')?.textContent === `${n}:${p}` ||
        document.querySelector('[data-testid="editor-error"]') !== null ||
        document.querySelector(`[data-testid="editor-browser"][data-path="${p}"]`) !== null,
      [node, path] as const,
    );
  }

  /** The file shown now as `node:path`, or null. */
  async current(): Promise<string | null> {
    const el = this.page.getByTestId('editor-current');
    return (await el.count()) === 0 ? null : el.innerText();
  }

  /** The text Monaco renders (only the lines in view). */
  async visibleText(): Promise<string> {
    return this.root
      .locator('.view-lines')
      .evaluate((el) =>
        Array.from(el.children, (line) => (line.textContent ?? '').replace(/\u00a0/g, ' ')).join('\n'),
      );
  }

  /** Replaces the whole text as if typed/pasted (marks the file dirty). */
  async replaceContent(text: string): Promise<void> {
    await this.root.locator('.monaco-editor .view-lines').click();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(text);
  }

  /** Presses Save and waits for the confirmation (or an error). */
  async save(): Promise<void> {
    await this.saveButton.click();
    await this.page.waitForFunction(
      () =>
        document.querySelector('[data-testid="editor-status"]') !== null ||
        document.querySelector('[data-testid="editor-error"]') !== null,
    );
  }

  /** Whether there are unsaved changes. */
  async isDirty(): Promise<boolean> {
    return (await this.root.getAttribute('data-dirty')) === 'true';
  }
}
