/**
 * Reconnect delays: 0.5 s, 1 s, 2 s, 4 s, then every 8 s, each with up to 25 % random jitter.
 * The first retry is quick because most drops are blips (a server restart, a laptop waking up);
 * the cap keeps a long outage from hammering the server, and the jitter keeps a class of 30
 * browsers from reconnecting in lock-step after the server restarts.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs = 500,
    private readonly maxMs = 8000,
  ) {}

  /** The delay before the next attempt; each call doubles it up to the cap. */
  next(): number {
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt += 1;
    return Math.round(delay * (1 + Math.random() * 0.25));
  }

  /** Starts over after a connection succeeded. */
  reset(): void {
    this.attempt = 0;
  }
}
