import { describe, expect, it } from 'vitest';
import { ordinal, queueBadge, queueText } from '../../../web/src/env/queuePlace.ts';
import { translator } from '../../../web/src/i18n.ts';

describe('the place in line in words', () => {
  it('says the position as an ordinal in English', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
    ]);
  });

  it('reads "you are 3rd in line, about 1 minute" in both languages, the wait rounded to minutes', () => {
    const en = translator('en');
    const zh = translator('zh');
    expect(queueText(en, { position: 3, etaSeconds: 75 })).toBe('You are 3rd in line, about 1 minute.');
    expect(queueText(zh, { position: 3, etaSeconds: 75 })).toBe('你排在第 3 位，大约 1 分钟。');
    expect(queueText(en, { position: 1, etaSeconds: 15 })).toBe('You are 1st in line, less than a minute.');
    expect(queueText(en, { position: 8, etaSeconds: 240 })).toBe('You are 8th in line, about 4 minutes.');
    expect(queueText(zh, { position: 8, etaSeconds: 240 })).toBe('你排在第 8 位，大约 4 分钟。');
    expect(queueBadge(en, { position: 2, etaSeconds: 30 })).toBe('In line: 2nd');
    expect(queueBadge(zh, undefined)).toBe('排队中');
  });
});
