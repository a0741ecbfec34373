import { describe, expect, it } from 'vitest';
import { Scrollback } from '../../../server/terminal/TerminalHub.ts';

describe('Scrollback', () => {
  it('keeps everything until the limit', () => {
    const s = new Scrollback(100);
    s.push(Buffer.from('a\n'));
    s.push(Buffer.from('b\n'));
    expect(s.contents().toString()).toBe('a\nb\n');
  });

  it('keeps the newest bytes once full, starting at a whole line', () => {
    const s = new Scrollback(10);
    s.push(Buffer.from('line-1\nline-2\n'));
    s.push(Buffer.from('ab\n'));
    // The 10 newest bytes are "line-2\nab\n"; replay starts after its first newline.
    expect(s.contents().toString()).toBe('ab\n');
  });
});
