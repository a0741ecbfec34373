import type { Locator, Page } from 'playwright-core';

/** A broker as the Cluster tab shows it. */
export interface BrokerRow {
  id: number;
  up: boolean;
  controller: boolean;
}

/** The Cluster tab: brokers, topics (`topic-<name>`), consumer groups (`group-<id>`). */
export class ClusterPane {
  /** The tab button. */
  readonly tab: Locator;
  /** The pane; `data-state` is waiting, up or down. */
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.tab = page.getByTestId('tab-cluster');
    this.root = page.getByTestId('cluster-pane');
  }

  /** Shows the tab. */
  async open(): Promise<void> {
    await this.tab.click();
    await this.root.waitFor();
  }

  /** A topic's row. */
  topic(name: string): Locator {
    return this.page.getByTestId(`topic-${name}`);
  }

  /** Waits until a topic appears (snapshots arrive every few seconds). */
  async waitForTopic(name: string, timeoutMs = 30_000): Promise<void> {
    await this.topic(name).waitFor({ timeout: timeoutMs });
  }

  /** How many partitions the topic has, as shown. */
  async partitionCount(name: string): Promise<number> {
    return Number(await this.page.getByTestId(`topic-${name}-partitions`).innerText());
  }

  /** Shows or hides internal topics (`__*`). */
  async showInternal(on: boolean): Promise<void> {
    await this.page.getByTestId('cluster-internal-toggle').setChecked(on);
  }

  /** The brokers, with up/down and the controller. */
  async brokers(): Promise<BrokerRow[]> {
    return this.page.locator('[data-testid^="broker-"]').evaluateAll((items) =>
      items.map((li) => ({
        id: Number((li.getAttribute('data-testid') ?? '').replace('broker-', '')),
        up: li.getAttribute('data-up') === 'true',
        controller: li.getAttribute('data-controller') === 'true',
      })),
    );
  }
}
