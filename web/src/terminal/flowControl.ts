import type { Terminal } from '@xterm/xterm';

/**
 * Bytes handed to xterm but not yet parsed above which we ask the server to pause.
 * xterm parses a few MB/s; 512 KiB is roughly a tenth of a second to a second of work, small
 * enough that a runaway `cat` of a large log does not pile up megabytes in the page (and
 * Ctrl+C's effect shows promptly, because at most this much output is queued in front of it),
 * and large enough that ordinary bursts (a `ls -R`, a broker's startup log) never trigger it.
 */
export const HIGH_WATERMARK = 512 * 1024;

/**
 * Backlog below which we ask the server to resume. A quarter of the high mark: the gap keeps
 * pause/resume from flapping on every chunk, and the 128 KiB still queued keeps xterm busy
 * while the resume message crosses the network, so the stream does not stall for a round trip.
 */
export const LOW_WATERMARK = 128 * 1024;

/** Control messages the flow controller sends on the socket. */
export type FlowMessage = 'pause' | 'resume';

/**
 * Counts the bytes written to xterm whose write callback has not fired yet, and tells the
 * server to pause or resume (ttyd's PAUSE/RESUME, wetty's flowcontrol.ts) at the watermarks.
 */
export class WriteFlowControl {
  private pending = 0;
  private paused = false;

  constructor(
    private readonly send: (message: FlowMessage) => void,
    private readonly high = HIGH_WATERMARK,
    private readonly low = LOW_WATERMARK,
  ) {}

  /** Writes output into the terminal, pausing the server when xterm falls behind. */
  write(term: Terminal, data: Uint8Array): void {
    const size = data.byteLength;
    this.pending += size;
    term.write(data, () => {
      this.pending -= size;
      if (this.paused && this.pending < this.low) {
        this.paused = false;
        this.send('resume');
      }
    });
    if (!this.paused && this.pending > this.high) {
      this.paused = true;
      this.send('pause');
    }
  }

  /**
   * A new socket starts unpaused on the server side; forget our pause so the next write
   * decides afresh (bytes still queued in xterm keep counting).
   */
  newConnection(): void {
    this.paused = false;
  }

  /** Bytes written but not yet parsed (for tests and diagnostics). */
  get backlog(): number {
    return this.pending;
  }
}
