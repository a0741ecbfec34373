import { describe, expect, it } from 'vitest';
import { parseArgs, parseHostList } from '../../../agent/args.ts';
import { UsageError } from '../../../agent/errors.ts';

describe('parseArgs', () => {
  it('applies the course defaults', () => {
    const { command, options } = parseArgs(['snapshot']);
    expect(command).toEqual({ name: 'snapshot' });
    expect(options.bootstrap.map((b) => `${b.host}:${b.port}`)).toEqual([
      'bigdata01:9092',
      'bigdata02:9092',
      'bigdata03:9092',
    ]);
    expect(options.zookeeper[2]).toEqual({ host: 'bigdata03', port: 2181 });
    expect(options.chroot).toBe('/kafka');
    expect(options.timeoutMs).toBe(15000);
  });

  it('accepts global options before or after the command, with = or a space', () => {
    const a = parseArgs([
      '--timeout',
      '500',
      'topic',
      'orders',
      '--chroot=/other/',
      '--bootstrap',
      'h1:1,h2:2',
    ]);
    expect(a.command).toEqual({ name: 'topic', topic: 'orders' });
    expect(a.options.timeoutMs).toBe(500);
    expect(a.options.chroot).toBe('/other');
    expect(a.options.bootstrap).toEqual([
      { host: 'h1', port: 1 },
      { host: 'h2', port: 2 },
    ]);
  });

  it('parses every command with its own arguments', () => {
    expect(parseArgs(['ready', '--brokers', '2']).command).toEqual({ name: 'ready', brokers: 2 });
    expect(parseArgs(['ready']).command).toEqual({ name: 'ready', brokers: 3 });
    expect(parseArgs(['zk', 'ls', '/kafka/brokers/ids/']).command).toEqual({
      name: 'zk',
      op: 'ls',
      path: '/kafka/brokers/ids',
    });
    expect(parseArgs(['zk', 'get', '/']).command).toEqual({ name: 'zk', op: 'get', path: '/' });
    expect(parseArgs(['messages', '--topic', 'orders']).command).toEqual({
      name: 'messages',
      topic: 'orders',
      max: 1000,
    });
    expect(parseArgs(['messages', '--topic', 'o', '--max', '5']).command).toEqual({
      name: 'messages',
      topic: 'o',
      max: 5,
    });
    expect(parseArgs(['groups']).command).toEqual({ name: 'groups' });
    expect(parseArgs(['group', 'billing']).command).toEqual({ name: 'group', groupId: 'billing' });
    expect(parseArgs(['broker-config', '--broker', '0']).command).toEqual({
      name: 'broker-config',
      broker: 0,
      key: null,
    });
    expect(parseArgs(['broker-config', '--broker', '2', '--key', 'log.dirs']).command).toEqual({
      name: 'broker-config',
      broker: 2,
      key: 'log.dirs',
    });
    expect(parseArgs(['version']).command).toEqual({ name: 'version' });
    expect(parseArgs(['snapshot', '--help']).command).toEqual({ name: 'help' });
  });

  it('keeps a chroot of "/" as the ZooKeeper root', () => {
    expect(parseArgs(['snapshot', '--chroot', '/']).options.chroot).toBe('');
  });

  it.each([
    [[], /missing command/],
    [['snaphsot'], /unknown command "snaphsot"/],
    [['snapshot', '--brokers', '3'], /unknown option --brokers for snapshot/],
    [['snapshot', '--nope', 'x'], /unknown option --nope/],
    [['snapshot', '--timeout'], /--timeout needs a value/],
    [['snapshot', '--timeout', '--chroot', '/k'], /--timeout needs a value/],
    [['snapshot', '--timeout', 'soon'], /--timeout must be a whole number/],
    [['snapshot', '--timeout', '0'], /at least 1/],
    [['snapshot', '--timeout', '1', '--timeout', '2'], /given twice/],
    [['ready', '--brokers', 'three'], /--brokers must be a whole number/],
    [['messages'], /messages needs --topic/],
    [['messages', '--topic', 'o', '--max', '-1'], /--max must be a whole number/],
    [['messages', '--topic', 'o', '--max', '1.5'], /--max must be a whole number/],
    [['broker-config'], /needs --broker/],
    [['broker-config', '--broker', 'x'], /--broker must be a whole number/],
    [['topic'], /topic needs <name>/],
    [['topic', 'a', 'b'], /unexpected argument "b"/],
    [['zk', 'ls'], /zk needs <path>/],
    [['zk', 'rm', '/x'], /"ls" or "get"/],
    [['zk', 'ls', 'kafka'], /must be absolute/],
    [['snapshot', '--chroot', 'kafka'], /must start with "\/"/],
    [['snapshot', '--bootstrap', 'bigdata01'], /"bigdata01" is not host:port/],
    [['snapshot', '--zookeeper', 'h:99999'], /"h:99999" is not host:port/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('parseHostList', () => {
  it('reads IPv6 literals in brackets and ignores empty entries', () => {
    expect(parseHostList('bootstrap', '[::1]:9092,, 127.0.0.1:9093 ')).toEqual([
      { host: '::1', port: 9092 },
      { host: '127.0.0.1', port: 9093 },
    ]);
  });
});
