import { describe, expect, it } from 'vitest';
import {
  checkNode,
  isEnvId,
  legacyEnvIdFor,
  names,
  newEnvId,
  normalizeName,
} from '../../../server/env/naming.ts';

describe('environment naming', () => {
  it('makes environment ids at random, 128 bits, unrelated to any name', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newEnvId()));
    expect(ids.size).toBe(200);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(isEnvId(id)).toBe(true);
    }
  });

  it('still recognises the name-derived ids of earlier versions, for adopting them', () => {
    expect(legacyEnvIdFor('alice')).toMatch(/^alice-[0-9a-f]{6}$/);
    expect(legacyEnvIdFor('张三')).toMatch(/^u-[0-9a-f]{6}$/);
    for (const owner of ['a', '张三', 'x'.repeat(64), '--weird--'])
      expect(isEnvId(legacyEnvIdFor(owner))).toBe(true);
    expect(isEnvId('../x')).toBe(false);
    expect(isEnvId('A'.repeat(32))).toBe(false);
  });

  it('names the network and containers with the prefix', () => {
    const n = names('kafkalab', 'alice-2bd806');
    expect(n.network).toBe('kafkalab-alice-2bd806');
    expect(n.container('bigdata02')).toBe('kafkalab-alice-2bd806-bigdata02');
  });

  it('accepts only bigdata01..03 as servers', () => {
    expect(checkNode('bigdata02')).toBe('bigdata02');
    expect(() => checkNode('bigdata04')).toThrow(
      'Unknown server "bigdata04": expected one of bigdata01, bigdata02, bigdata03',
    );
  });
});

describe('normalizeName: the one rule for names', () => {
  it('maps names that differ only in width, surrounding or doubled spaces to one name', () => {
    for (const variant of ['alice', '  alice ', 'alice\u00a0', '\u3000alice', 'ａｌｉｃｅ'])
      expect(normalizeName(variant)).toBe('alice');
    expect(normalizeName('Zhang   San')).toBe('Zhang San');
    expect(normalizeName('  张三 ')).toBe('张三');
    expect(normalizeName('Ｚｈａｎｇ　San')).toBe('Zhang San');
  });

  it('keeps names that differ visibly apart', () => {
    expect(normalizeName('Alice')).not.toBe(normalizeName('alice'));
    expect(normalizeName('李四')).not.toBe(normalizeName('张三'));
  });

  it('refuses empty, overlong, control, format and zero-width characters with a clear message', () => {
    expect(() => normalizeName('')).toThrow('The name is empty');
    expect(() => normalizeName('   \u00a0')).toThrow('The name is empty');
    expect(() => normalizeName(42)).toThrow('A name is required');
    expect(() => normalizeName('x'.repeat(65))).toThrow('longer than 64');
    expect(() => normalizeName('x'.repeat(100_000))).toThrow('longer than 64');
    for (const bad of [
      'a\nb',
      'a\u0085b', // NEXT LINE, a C1 control
      '\u200b\u200b', // zero-width spaces only
      '\u200d', // zero-width joiner
      'ali\u200bce', // looks like alice
      'abc\u202egpj.exe', // right-to-left override
      '\u2066x\u2069', // isolates
      '\ufeffbob', // BOM
      'a\u2028b', // line separator
      '\u3164', // Hangul filler, renders as nothing
    ])
      expect(() => normalizeName(bad), JSON.stringify(bad)).toThrow(/control or invisible/);
  });
});
