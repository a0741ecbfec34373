import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import type { TerminalControl, TerminalEvent } from '../../../server/http/apiTypes.ts';
import { wsUrl } from '../api.ts';
import { Backoff } from '../backoff.ts';
import { DisposableStore, toDisposable, type Disposable } from '../disposable.ts';
import { WriteFlowControl } from './flowControl.ts';

/** What the terminal is doing, for the overlay around it. */
export type TerminalState =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'reconnecting'; inMs: number }
  | { kind: 'ended' }
  | { kind: 'error'; message: string };

/** Options of a TerminalSession. */
export interface TerminalSessionOptions {
  /** bigdata01, bigdata02 or bigdata03. */
  node: string;
  /** Called on every state change. */
  onState: (state: TerminalState) => void;
  /**
   * Watch this student's shell read-only (instructors): no keystrokes are sent, and no resizes
   * either, since the shell's size is the student's.
   */
  watchStudent?: number;
}

const encoder = new TextEncoder();

/**
 * Keystrokes typed (or pasted) while the socket is still connecting are held and sent once it
 * opens, like ssh's type-ahead. 16 KiB is far more than anyone types in a few seconds and bounds
 * what a big paste into a dead terminal can hold.
 */
const TYPE_AHEAD_LIMIT = 16 * 1024;

/** Dark theme with enough contrast for `ls --color` and vim's syntax colours. */
const THEME = {
  background: '#11161d',
  foreground: '#d7dde5',
  cursor: '#f0b429',
  cursorAccent: '#11161d',
  selectionBackground: '#3a4b63',
  black: '#1b222c',
  red: '#f07178',
  green: '#a5d36e',
  yellow: '#f0c05a',
  blue: '#6cb6ff',
  magenta: '#d49bff',
  cyan: '#5fd4d4',
  white: '#d7dde5',
  brightBlack: '#6b7785',
  brightRed: '#ff8f95',
  brightGreen: '#c0ec8a',
  brightYellow: '#ffd77a',
  brightBlue: '#93c9ff',
  brightMagenta: '#e3b8ff',
  brightCyan: '#8aeaea',
  brightWhite: '#ffffff',
};

/**
 * One server's terminal: an xterm.js instance bound to WS /ws/terminal. It connects only while
 * enabled (the environment is running), reconnects with backoff after an unexpected close (the
 * server keeps the shell alive for a while and replays its output), and stays quiet after the
 * shell exits until reopen() is called.
 */
export class TerminalSession implements Disposable {
  /** The xterm.js terminal (exposed for focus and tests). */
  readonly term: Terminal;
  private readonly fitAddon = new FitAddon();
  private readonly store = new DisposableStore();
  private readonly backoff = new Backoff();
  private readonly flow: WriteFlowControl;
  private socket: WebSocket | null = null;
  private retryTimer: number | undefined;
  private enabled = false;
  /** Set after `exit` or `error`: wait for reopen() instead of reconnecting. */
  private halted = false;
  private attachedBefore = false;
  /** Watching: the student's shell size, as the server tells it (lines then wrap as theirs do). */
  private shellSize: { cols: number; rows: number } | null = null;
  private disposed = false;
  private state: TerminalState = { kind: 'idle' };
  private typeAhead: Uint8Array[] = [];
  private typeAheadBytes = 0;

  constructor(
    private readonly container: HTMLElement,
    private readonly opts: TerminalSessionOptions,
  ) {
    this.term = new Terminal({
      theme: THEME,
      fontFamily:
        "ui-monospace, 'SFMono-Regular', 'Cascadia Mono', 'DejaVu Sans Mono', Menlo, Consolas, 'Noto Sans Mono CJK SC', 'Sarasa Mono SC', monospace",
      fontSize: 14,
      lineHeight: 1.15,
      cursorBlink: opts.watchStudent === undefined,
      disableStdin: opts.watchStudent !== undefined,
      scrollback: 5000,
    });
    this.term.loadAddon(this.fitAddon);
    this.term.open(container);
    this.flow = new WriteFlowControl((message) => this.sendControl({ type: message }));

    this.store.add(this.term.onData((data) => this.sendBytes(encoder.encode(data))));
    // onBinary carries non-UTF-8 bytes (old-style mouse reports) as a string of code points < 256.
    this.store.add(
      this.term.onBinary((data) => this.sendBytes(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff))),
    );
    this.store.add(
      this.term.onResize(({ cols, rows }) => {
        if (!this.watching) this.sendControl({ type: 'resize', cols, rows });
      }),
    );
    const observer = new ResizeObserver(() => this.fit());
    observer.observe(container);
    this.store.add(toDisposable(() => observer.disconnect()));
    this.store.add(this.term);
    this.fit();
  }

  /** Whether this is a read-only view of a student's shell. */
  get watching(): boolean {
    return this.opts.watchStudent !== undefined;
  }

  /** Connects while the environment runs; disconnects (without giving up on the shell) otherwise. */
  setEnabled(enabled: boolean): void {
    if (this.enabled === enabled) return;
    this.enabled = enabled;
    if (enabled) {
      // The environment (re)started: whatever ended the last shell (exit, a reset that removed
      // the servers) is history, and a new shell is what the student expects.
      this.halted = false;
      this.backoff.reset();
      this.connect();
    } else {
      this.clearRetry();
      this.closeSocket();
      this.typeAhead = [];
      this.typeAheadBytes = 0;
      this.setState({ kind: 'idle' });
    }
  }

  /** Starts a new connection after the shell ended or an error (the server opens a fresh shell if needed). */
  reopen(): void {
    this.halted = false;
    this.backoff.reset();
    if (this.enabled) this.connect();
  }

  /** Types text into the shell as if pasted (bracketed paste when the shell asked for it). */
  paste(text: string): void {
    this.term.paste(text);
  }

  /** Gives the keyboard to the terminal. */
  focus(): void {
    this.term.focus();
  }

  /** Fits the terminal to its container; ignored while the container is hidden (zero size). */
  fit(): void {
    // A watcher shows the student's screen at the student's size, whatever its own pane's size.
    if (this.shellSize !== null) return;
    if (this.disposed || this.container.offsetWidth === 0 || this.container.offsetHeight === 0) return;
    const dims = this.fitAddon.proposeDimensions();
    if (dims === undefined || !Number.isFinite(dims.cols) || !Number.isFinite(dims.rows)) return;
    if (dims.cols !== this.term.cols || dims.rows !== this.term.rows) this.term.resize(dims.cols, dims.rows);
  }

  /** Closes the socket and frees the terminal. The server keeps the shell for its grace period. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearRetry();
    this.closeSocket();
    this.store.dispose();
  }

  private connect(): void {
    if (this.disposed || !this.enabled || this.halted) return;
    this.clearRetry();
    this.closeSocket();
    this.fit();
    let query = `node=${encodeURIComponent(this.opts.node)}&cols=${this.term.cols}&rows=${this.term.rows}`;
    if (this.opts.watchStudent !== undefined) query += `&student=${this.opts.watchStudent}&watch=1`;
    const ws = new WebSocket(wsUrl(`/ws/terminal?${query}`));
    ws.binaryType = 'arraybuffer';
    this.socket = ws;
    if (this.state.kind !== 'reconnecting') this.setState({ kind: 'connecting' });

    ws.onopen = () => {
      if (this.socket !== ws) return;
      this.backoff.reset();
      this.flow.newConnection();
      // The size may have changed between building the URL and the socket opening.
      if (!this.watching) this.sendControl({ type: 'resize', cols: this.term.cols, rows: this.term.rows });
      for (const bytes of this.typeAhead) ws.send(bytes);
      this.typeAhead = [];
      this.typeAheadBytes = 0;
      this.setState({ kind: 'open' });
    };
    ws.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      if (this.socket !== ws) return;
      if (typeof event.data === 'string') this.onEvent(event.data);
      else this.flow.write(this.term, new Uint8Array(event.data));
    };
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.socket = null;
      if (this.disposed || !this.enabled || this.halted) return;
      const inMs = this.backoff.next();
      this.setState({ kind: 'reconnecting', inMs });
      this.retryTimer = window.setTimeout(() => this.connect(), inMs);
    };
  }

  private onEvent(raw: string): void {
    let event: TerminalEvent;
    try {
      event = JSON.parse(raw) as TerminalEvent;
    } catch {
      return;
    }
    switch (event.type) {
      case 'attached':
        // A reattach replays the shell's recent output: clear what we show so it is not doubled.
        // Written (not term.reset()) so it is ordered after output still queued in xterm.
        if (this.attachedBefore && (event.fresh || event.replayed > 0)) this.term.write('\x1bc');
        this.attachedBefore = true;
        break;
      case 'size':
        if (!this.watching) break;
        this.shellSize = { cols: event.cols, rows: event.rows };
        if (event.cols !== this.term.cols || event.rows !== this.term.rows)
          this.term.resize(event.cols, event.rows);
        break;
      case 'exit':
        this.halted = true;
        this.term.write('\r\n\x1b[2m[session ended]\x1b[0m\r\n');
        this.setState({ kind: 'ended' });
        break;
      case 'error':
        this.halted = true;
        this.setState({ kind: 'error', message: event.message });
        this.closeSocket();
        break;
    }
  }

  private sendBytes(bytes: Uint8Array): void {
    // The server refuses a watcher's input with an error that would end the view.
    if (this.watching) return;
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(bytes);
    else if (this.enabled && !this.halted && this.typeAheadBytes + bytes.byteLength <= TYPE_AHEAD_LIMIT) {
      this.typeAhead.push(bytes);
      this.typeAheadBytes += bytes.byteLength;
    }
  }

  private sendControl(message: TerminalControl): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private setState(state: TerminalState): void {
    this.state = state;
    this.opts.onState(state);
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) window.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private closeSocket(): void {
    const ws = this.socket;
    this.socket = null;
    if (ws !== null && ws.readyState !== WebSocket.CLOSED) ws.close(1000);
  }
}
