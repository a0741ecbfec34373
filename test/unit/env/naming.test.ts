import { describe, expect, it } from 'vitest';
import { checkNode, checkOwner, envIdFor, isEnvId, names } from '../../../server/env/naming.ts';

describe('environment naming', () => {
  it('derives a stable, Docker-safe id from any owner name', () => {
    expect(envIdFor('alice')).toBe(envIdFor('alice'));
    expect(envIdFor('alice')).toMatch(/^alice-[0-9a-f]{6}$/);
    expect(envIdFor('Alice')).not.toBe(envIdFor('alice'));
    expect(envIdFor('张三')).toMatch(/^u-[0-9a-f]{6}$/);
    expect(envIdFor('Zhang San (class 2)')).toMatch(/^zhang-san-class-2-[0-9a-f]{6}$/);
    for (const owner of ['a', '张三', 'x'.repeat(64), '--weird--'])
      expect(isEnvId(envIdFor(owner))).toBe(true);
  });

  it('names the network and containers with the prefix', () => {
    const n = names('kafkalab', 'alice-2bd806');
    expect(n.network).toBe('kafkalab-alice-2bd806');
    expect(n.container('bigdata02')).toBe('kafkalab-alice-2bd806-bigdata02');
  });

  it('rejects empty, overlong and control-character owners with a clear message', () => {
    expect(() => checkOwner('')).toThrow('Owner name is empty');
    expect(() => checkOwner('   ')).toThrow('Owner name is empty');
    expect(() => checkOwner(42)).toThrow('Owner name is empty');
    expect(() => checkOwner('x'.repeat(65))).toThrow('longer than 64');
    expect(() => checkOwner('a\nb')).toThrow('control characters');
    expect(checkOwner('  张三 ')).toBe('张三');
  });

  it('accepts only bigdata01..03 as servers', () => {
    expect(checkNode('bigdata02')).toBe('bigdata02');
    expect(() => checkNode('bigdata04')).toThrow(
      'Unknown server "bigdata04": expected one of bigdata01, bigdata02, bigdata03',
    );
  });
});
