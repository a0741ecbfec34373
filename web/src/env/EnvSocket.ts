import type { ClusterSnapshot, EnvControl, EnvMessage, EnvStatus } from '../../../server/http/apiTypes.ts';
import { getEnv, wsUrl } from '../api.ts';
import { Backoff } from '../backoff.ts';
import { toDisposable, type Disposable } from '../disposable.ts';
import { visibleHeartbeat } from './heartbeat.ts';
import { idleAfter, type IdleCountdown } from './idle.ts';

/** The latest of everything /ws/env has said. */
export interface EnvFeed {
  status: EnvStatus | null;
  snapshot: ClusterSnapshot | null;
  /** Why the last snapshot could not be taken, until the next good one arrives. */
  snapshotError: string | null;
  /** Whether the socket is open right now. */
  connected: boolean;
  /** The idle warning under way: the environment stops then unless the student does something. */
  idle: IdleCountdown | null;
}

/**
 * WS /ws/env for one lab page: boot progress, status changes, cluster snapshots and idle
 * warnings. Keeps the latest of each so a view opened later (the Cluster tab) starts from the
 * current picture, and reconnects with backoff for as long as it lives. While the page is
 * visible it sends heartbeats, which keep the environment from being stopped as idle.
 */
export class EnvSocket implements Disposable {
  private feed: EnvFeed = { status: null, snapshot: null, snapshotError: null, connected: false, idle: null };
  private readonly listeners = new Set<(feed: EnvFeed) => void>();
  private readonly backoff = new Backoff();
  private socket: WebSocket | null = null;
  private retryTimer: number | undefined;
  private disposed = false;
  private readonly heartbeat: Disposable;

  constructor() {
    this.connect();
    this.heartbeat = visibleHeartbeat(() => this.send({ type: 'heartbeat' }), document);
  }

  /**
   * "Keep working": tells the server someone is here, on the socket or, while it is down, with
   * an API call (any signed-in request counts as activity too).
   */
  keepWorking(): void {
    if (this.send({ type: 'heartbeat' })) return;
    getEnv().catch(() => undefined);
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
    this.heartbeat.dispose();
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
      const idle = idleAfter(this.feed.idle, message, Date.now());
      if (message.type === 'status') this.update({ status: message.status, idle });
      else if (message.type === 'snapshot') this.update({ snapshot: message.snapshot, snapshotError: null });
      else if (message.type === 'snapshot-error') this.update({ snapshotError: message.message });
      else if (message.type === 'idle-warning' || message.type === 'idle-cleared') this.update({ idle });
    };
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.update({ connected: false });
      if (this.disposed) return;
      this.retryTimer = window.setTimeout(() => this.connect(), this.backoff.next());
    };
  }

  /** Sends a control message if the socket is open; whether it was sent. */
  private send(control: EnvControl): boolean {
    const ws = this.socket;
    if (ws === null || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(control));
    return true;
  }

  private update(change: Partial<EnvFeed>): void {
    this.feed = { ...this.feed, ...change };
    for (const listener of this.listeners) listener(this.feed);
  }
}
