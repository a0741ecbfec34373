import { wsUrl } from '../api.ts';
import { Backoff } from '../backoff.ts';
import type { Disposable } from '../disposable.ts';

/** Options of a JsonSocket. */
export interface JsonSocketOptions<T> {
  /** A same-origin path such as /ws/authoring. */
  path: string;
  /** Called with every JSON text frame (frames that do not parse are dropped). */
  onMessage: (message: T) => void;
  /** Called when the socket opens or closes. */
  onConnected?: (connected: boolean) => void;
}

/**
 * A socket of JSON messages from the server that reconnects with backoff for as long as it lives
 * (the pattern of EnvSocket, for the dashboard's feeds). The server sends its full state first on
 * every connect, so nothing is replayed or queued here.
 */
export class JsonSocket<T> implements Disposable {
  private readonly backoff = new Backoff();
  private socket: WebSocket | null = null;
  private retryTimer: number | undefined;
  private disposed = false;

  constructor(private readonly opts: JsonSocketOptions<T>) {
    this.connect();
  }

  /** Closes the socket and stops reconnecting. */
  dispose(): void {
    this.disposed = true;
    if (this.retryTimer !== undefined) window.clearTimeout(this.retryTimer);
    const ws = this.socket;
    this.socket = null;
    ws?.close(1000);
  }

  private connect(): void {
    if (this.disposed) return;
    const ws = new WebSocket(wsUrl(this.opts.path));
    this.socket = ws;
    ws.onopen = () => {
      if (this.socket !== ws) return;
      this.backoff.reset();
      this.opts.onConnected?.(true);
    };
    ws.onmessage = (event: MessageEvent<unknown>) => {
      if (this.socket !== ws || typeof event.data !== 'string') return;
      let message: T;
      try {
        message = JSON.parse(event.data) as T;
      } catch {
        return;
      }
      this.opts.onMessage(message);
    };
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.opts.onConnected?.(false);
      if (this.disposed) return;
      this.retryTimer = window.setTimeout(() => this.connect(), this.backoff.next());
    };
  }
}
