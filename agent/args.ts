/**
 * Command-line parsing for `kafkalab-agent <command> [options]`. Pure: it returns a typed
 * command or throws UsageError, and never touches the process.
 */
import { UsageError } from './errors.ts';

/** One `host:port` from --bootstrap or --zookeeper. */
export interface HostPort {
  host: string;
  port: number;
}

/** Options every command accepts. */
export interface GlobalOptions {
  bootstrap: HostPort[];
  zookeeper: HostPort[];
  /** Kafka's znode root without a trailing slash; '' when Kafka uses the ZooKeeper root. */
  chroot: string;
  timeoutMs: number;
}

/** A parsed command with its own arguments. */
export type Command =
  | { name: 'snapshot' }
  | { name: 'ready'; brokers: number }
  | { name: 'zk'; op: 'ls' | 'get'; path: string }
  | { name: 'topic'; topic: string }
  | { name: 'messages'; topic: string; max: number }
  | { name: 'groups' }
  | { name: 'group'; groupId: string }
  | { name: 'broker-config'; broker: number; key: string | null }
  | { name: 'diagnose' }
  | { name: 'version' }
  | { name: 'help' };

/** Everything parsed from argv. */
export interface ParsedArgs {
  command: Command;
  options: GlobalOptions;
}

/** Printed with every usage error and by `help`. */
export const USAGE = `usage: kafkalab-agent <command> [options]

commands:
  snapshot                          brokers, controller, topics and consumer groups
  ready [--brokers N]               wait for ZooKeeper, N brokers, a controller and a round trip
  zk ls <path> | zk get <path>      read a znode (absolute path, chroot not added)
  topic <name>                      one topic: partitions, replication factor, explicit configs
  messages --topic T [--max N]      every message from the beginning to the current end
  groups | group <id>               consumer groups with members, offsets and lag
  broker-config --broker ID [--key NAME]
  diagnose                          this server's Kafka files and processes: why a broker does not run
  version

options:
  --bootstrap h:p,...   default bigdata01:9092,bigdata02:9092,bigdata03:9092
  --zookeeper h:p,...   default bigdata01:2181,bigdata02:2181,bigdata03:2181
  --chroot /kafka       Kafka's root znode (default /kafka)
  --timeout ms          overall deadline (default 15000)
`;

const DEFAULTS = {
  bootstrap: 'bigdata01:9092,bigdata02:9092,bigdata03:9092',
  zookeeper: 'bigdata01:2181,bigdata02:2181,bigdata03:2181',
  chroot: '/kafka',
  timeout: '15000',
};

type Kind = 'string' | 'int';

/** Per command: its positional argument names and the options only it accepts. */
const SPECS: Record<Command['name'], { positionals: string[]; options: Record<string, Kind> }> = {
  snapshot: { positionals: [], options: {} },
  ready: { positionals: [], options: { brokers: 'int' } },
  zk: { positionals: ['ls|get', 'path'], options: {} },
  topic: { positionals: ['name'], options: {} },
  messages: { positionals: [], options: { topic: 'string', max: 'int' } },
  groups: { positionals: [], options: {} },
  group: { positionals: ['id'], options: {} },
  'broker-config': { positionals: [], options: { broker: 'int', key: 'string' } },
  diagnose: { positionals: [], options: {} },
  version: { positionals: [], options: {} },
  help: { positionals: [], options: {} },
};

const GLOBAL_OPTIONS: Record<string, Kind> = {
  bootstrap: 'string',
  zookeeper: 'string',
  chroot: 'string',
  timeout: 'int',
};

function isCommandName(name: string): name is Command['name'] {
  return Object.prototype.hasOwnProperty.call(SPECS, name);
}

/** Parses argv (without node and the script path). Throws UsageError on any mistake. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string>();
  const positionals: string[] = [];
  let onlyPositionals = false;
  let wantsHelp = false;

  // First pass: split options from positionals; which options are legal depends on the
  // command, which may come after a global option, so validation waits for the second pass.
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (onlyPositionals || !token.startsWith('--')) {
      positionals.push(token);
      continue;
    }
    if (token === '--') {
      onlyPositionals = true;
      continue;
    }
    if (token === '--help') {
      wantsHelp = true;
      continue;
    }
    const eq = token.indexOf('=');
    const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
    let value: string | undefined;
    if (eq !== -1) {
      value = token.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        value = next;
        i++;
      }
    }
    if (value === undefined || value === '') throw new UsageError(`option --${name} needs a value`);
    if (values.has(name)) throw new UsageError(`option --${name} given twice`);
    values.set(name, value);
  }

  if (wantsHelp) return { command: { name: 'help' }, options: parseOptions(new Map()) };
  const [commandName, ...rest] = positionals;
  if (commandName === undefined) throw new UsageError('missing command');
  if (!isCommandName(commandName)) throw new UsageError(`unknown command "${commandName}"`);
  const spec = SPECS[commandName];

  for (const [name, value] of values) {
    const kind = spec.options[name] ?? GLOBAL_OPTIONS[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name} for ${commandName}`);
    if (kind === 'int' && !/^\d+$/.test(value)) {
      throw new UsageError(`option --${name} must be a whole number, got "${value}"`);
    }
  }
  if (rest.length > spec.positionals.length) {
    throw new UsageError(`unexpected argument "${rest[spec.positionals.length] ?? ''}" for ${commandName}`);
  }
  if (rest.length < spec.positionals.length) {
    throw new UsageError(`${commandName} needs <${spec.positionals.slice(rest.length).join('> <')}>`);
  }

  return { command: buildCommand(commandName, rest, values), options: parseOptions(values) };
}

function parseOptions(values: Map<string, string>): GlobalOptions {
  return {
    bootstrap: parseHostList('bootstrap', values.get('bootstrap') ?? DEFAULTS.bootstrap),
    zookeeper: parseHostList('zookeeper', values.get('zookeeper') ?? DEFAULTS.zookeeper),
    chroot: parseChroot(values.get('chroot') ?? DEFAULTS.chroot),
    timeoutMs: positive('timeout', values.get('timeout') ?? DEFAULTS.timeout),
  };
}

function buildCommand(name: Command['name'], rest: string[], values: Map<string, string>): Command {
  const arg = (i: number): string => rest[i] ?? '';
  switch (name) {
    case 'snapshot':
    case 'groups':
    case 'diagnose':
    case 'version':
    case 'help':
      return { name };
    case 'ready':
      return { name, brokers: positive('brokers', values.get('brokers') ?? '3') };
    case 'zk': {
      const op = arg(0);
      if (op !== 'ls' && op !== 'get') throw new UsageError(`zk needs "ls" or "get", got "${op}"`);
      return { name, op, path: parseZkPath(arg(1)) };
    }
    case 'topic':
      return { name, topic: arg(0) };
    case 'messages': {
      const topic = values.get('topic');
      if (topic === undefined) throw new UsageError('messages needs --topic');
      return { name, topic, max: positive('max', values.get('max') ?? '1000') };
    }
    case 'group':
      return { name, groupId: arg(0) };
    case 'broker-config': {
      const broker = values.get('broker');
      if (broker === undefined) throw new UsageError('broker-config needs --broker');
      // broker.id 0 is legal in Kafka, so this one is not `positive`.
      return { name, broker: Number(broker), key: values.get('key') ?? null };
    }
  }
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`option --${name} must be a whole number of at least 1, got "${value}"`);
  }
  return n;
}

/** Parses `h:p,h:p`, accepting `[v6addr]:p`. */
export function parseHostList(option: string, value: string): HostPort[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0) throw new UsageError(`option --${option} needs at least one host:port`);
  return list.map((entry) => {
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(entry);
    const host = m?.[1] ?? m?.[2];
    const port = Number(m?.[3]);
    if (host === undefined || !(port >= 1 && port <= 65535)) {
      throw new UsageError(`option --${option}: "${entry}" is not host:port`);
    }
    return { host, port };
  });
}

function parseChroot(value: string): string {
  if (!value.startsWith('/')) throw new UsageError(`option --chroot must start with "/", got "${value}"`);
  return value.replace(/\/+$/, '');
}

function parseZkPath(value: string): string {
  if (!value.startsWith('/')) throw new UsageError(`znode path must be absolute, got "${value}"`);
  // ZooKeeper rejects a trailing slash (except on "/"); normalise instead of failing.
  return value === '/' ? value : value.replace(/\/+$/, '') || '/';
}
