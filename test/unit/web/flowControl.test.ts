import type { Terminal } from '@xterm/xterm';
import { describe, expect, it } from 'vitest';
import { WriteFlowControl } from '../../../web/src/terminal/flowControl.ts';

/** A terminal that parses nothing until told to, like xterm under a flood of output. */
class SlowTerminal {
  private readonly callbacks: (() => void)[] = [];
  write(_data: Uint8Array, done: () => void): void {
    this.callbacks.push(done);
  }
  /** Finishes parsing the oldest `n` writes. */
  drain(n: number): void {
    for (const cb of this.callbacks.splice(0, n)) cb();
  }
}

describe('WriteFlowControl', () => {
  it('asks the server to pause above the high watermark and to resume below the low one, once each', () => {
    const sent: string[] = [];
    const flow = new WriteFlowControl((m) => sent.push(m), 100, 30);
    const term = new SlowTerminal();
    for (let i = 0; i < 5; i++) flow.write(term as unknown as Terminal, new Uint8Array(40));
    expect(sent).toEqual(['pause']);
    expect(flow.backlog).toBe(200);
    term.drain(3);
    expect(sent).toEqual(['pause']); // 80 pending: still above the low watermark
    term.drain(2);
    expect(sent).toEqual(['pause', 'resume']);
    expect(flow.backlog).toBe(0);
  });
});
