import type { ClusterSnapshot, EnvMessage, EnvStatus } from '../../../server/http/apiTypes.ts';
import { wsUrl } from '../api.ts';
import { Backoff } from '../backoff.ts';
import { toDisposable, type Disposable } from '../disposable.ts';

/** The latest of everything /ws/env has said. */
export interface EnvFeed {
  status: EnvStatus | null;
  snapshot: ClusterSnapshot | null;
  /** Why the last snapshot could not be taken, until the next good one arrives. */
  snapshotError: string | null;
  /** Whether the socket is open right now. */
  connected: boolean;
}

/**
 * WS /ws/env for one lab page: boot progress, status changes and cluster snapshots. Keeps the
 * latest of each so a view opened later (the Cluster tab) starts from the current picture, and
 * reconnects with backoff for as long as it lives.
 */
export class EnvSocket implements Disposable {
  private feed: EnvFeed = { status: null, snapshot: null, snapshotError: null, connected: false };
  private readonly listeners = new Set<(feed: EnvFeed) => void>();
  private readonly backoff = new Backoff();
  private socket: WebSocket | null = null;
  private retryTimer: number | undefined;
  private disposed = false;

  constructor() {
    this.connect();
  }

  /** The latest feed. */
  get current(): EnvFeed {
    return this.feed;
  }

  /** Calls `listener` now and on every change. */
  subscribe(listener: (feed: EnvFeed) => void): Disposable {
    this.listeners.add(listener);
    listener(this.feed);
    return toDisposable(() => this.listeners.delete(listener));
  }

  /** Takes a status learned elsewhere (GET /api/env, POST /api/env) unless the socket already told us. */
  seedStatus(status: EnvStatus): void {
    this.update({ status });
  }

  /** Closes the socket and stops reconnecting. */
  dispose(): void {
    this.disposed = true;
    if (this.retryTimer !== undefined) window.clearTimeout(this.retryTimer);
    const ws = this.socket;
    this.socket = null;
    ws?.close(1000);
    this.listeners.clear();
  }

  private connect(): void {
    if (this.disposed) return;
    const ws = new WebSocket(wsUrl('/ws/env'));
    this.socket = ws;
    ws.onopen = () => {
      if (this.socket !== ws) return;
      this.backoff.reset();
      this.update({ connected: true });
    };
    ws.onmessage = (event: MessageEvent<unknown>) => {
      if (this.socket !== ws || typeof event.data !== 'string') return;
      let message: EnvMessage;
      try {
        message = JSON.parse(event.data) as EnvMessage;
      } catch {
        return;
      }
      if (message.type === 'status') this.update({ status: message.status });
      else if (message.type === 'snapshot') this.update({ snapshot: message.snapshot, snapshotError: null });
      else if (message.type === 'snapshot-error') this.update({ snapshotError: message.message });
    };
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.update({ connected: false });
      if (this.disposed) return;
      this.retryTimer = window.setTimeout(() => this.connect(), this.backoff.next());
    };
  }

  private update(change: Partial<EnvFeed>): void {
    this.feed = { ...this.feed, ...change };
    for (const listener of this.listeners) listener(this.feed);
  }
}
