import { describe, expect, it } from 'vitest';
import { commandBudget, runAgent, type AgentIo } from '../../../agent/cli.ts';
import type { CommandContext, CommandHandlers, CommandOutcome } from '../../../agent/command.ts';
import { AgentError, asKafkaError } from '../../../agent/errors.ts';

/** Captures output the way a caller of `docker exec` sees it. */
class CapturedIo implements AgentIo {
  out = '';
  err = '';
  stdout(text: string): void {
    this.out += text;
  }
  stderr(text: string): void {
    this.err += text;
  }
  /** stdout as parsed JSON lines. */
  lines(): unknown[] {
    return this.out
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as unknown);
  }
}

const unused = (): Promise<CommandOutcome> => Promise.reject(new Error('handler not expected in this test'));

/** Every handler fails unless the test supplies it. */
function handlers(overrides: Partial<CommandHandlers>): CommandHandlers {
  return {
    snapshot: unused,
    ready: unused,
    zk: unused,
    topic: unused,
    messages: unused,
    groups: unused,
    group: unused,
    'broker-config': unused,
    diagnose: unused,
    version: unused,
    help: unused,
    ...overrides,
  };
}

/** A command that never finishes, like kafkajs retrying a stopped broker forever. */
const neverFinishes = (): Promise<CommandOutcome> => new Promise<CommandOutcome>(() => undefined);

describe('runAgent', () => {
  it('prints usage on stderr and exits 2 for bad arguments, with nothing on stdout', async () => {
    const io = new CapturedIo();
    expect(await runAgent(['snapshot', '--timeout', 'x'], io, handlers({}))).toBe(2);
    expect(io.out).toBe('');
    expect(io.err).toContain('--timeout must be a whole number');
    expect(io.err).toContain('usage: kafkalab-agent');
  });

  it('prints usage on stdout for help', async () => {
    const io = new CapturedIo();
    expect(await runAgent(['help'], io, handlers({}))).toBe(0);
    expect(io.out).toContain('usage: kafkalab-agent');
  });

  it('prints exactly one JSON document and exits 0 on success', async () => {
    const io = new CapturedIo();
    const code = await runAgent(
      ['version'],
      io,
      handlers({ version: () => Promise.resolve({ doc: { agent: 1 } }) }),
    );
    expect(code).toBe(0);
    expect(io.out).toBe('{"agent":1}\n');
  });

  it('turns an AgentError into {"error":{code,message}} and exit 1, without a stack', async () => {
    const io = new CapturedIo();
    const failing = (): Promise<CommandOutcome> =>
      Promise.reject(new AgentError('not_found', 'no broker with id 9'));
    expect(
      await runAgent(['broker-config', '--broker', '9'], io, handlers({ 'broker-config': failing })),
    ).toBe(1);
    expect(io.lines()).toEqual([{ error: { code: 'not_found', message: 'no broker with id 9' } }]);
    expect(io.out + io.err).not.toMatch(/\n\s+at /);
  });

  it('reports an unexpected error as "internal", also when a handler throws synchronously', async () => {
    const io = new CapturedIo();
    const throwing = (): Promise<CommandOutcome> => {
      throw new TypeError('boom');
    };
    expect(await runAgent(['groups'], io, handlers({ groups: throwing }))).toBe(1);
    expect(io.lines()).toEqual([{ error: { code: 'internal', message: 'boom' } }]);
  });

  it('answers with a timeout error by --timeout even when the command never finishes', async () => {
    const io = new CapturedIo();
    const started = Date.now();
    const code = await runAgent(['snapshot', '--timeout', '150'], io, handlers({ snapshot: neverFinishes }));
    const took = Date.now() - started;
    expect(code).toBe(1);
    expect(io.lines()).toEqual([{ error: { code: 'timeout', message: 'gave up after 150 ms' } }]);
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(1000);
  });

  it('counts time already spent before it started against --timeout', async () => {
    const io = new CapturedIo();
    const started = Date.now();
    await runAgent(['snapshot', '--timeout', '1000'], io, handlers({ snapshot: neverFinishes }), {
      elapsedMs: 900,
    });
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('lets a command replace the kill-switch document, and drops progress after it', async () => {
    const io = new CapturedIo();
    let late: ((doc: unknown) => void) | undefined;
    const ready = (_c: unknown, ctx: CommandContext): Promise<CommandOutcome> => {
      ctx.emit({ phase: 'zookeeper', ok: true });
      ctx.onKill(() => ({ ready: false, error: 'waiting for brokers', missing: ['bigdata03:9092'] }));
      late = (doc) => ctx.emit(doc);
      return neverFinishes();
    };
    expect(await runAgent(['ready', '--timeout', '100'], io, handlers({ ready }))).toBe(1);
    late?.({ phase: 'brokers', done: 3, total: 3 });
    expect(io.lines()).toEqual([
      { phase: 'zookeeper', ok: true },
      { ready: false, error: 'waiting for brokers', missing: ['bigdata03:9092'] },
    ]);
  });

  it('gives the command a deadline that ends before the kill switch', async () => {
    const io = new CapturedIo();
    let remaining = 0;
    const snapshot = (_c: unknown, ctx: CommandContext): Promise<CommandOutcome> => {
      remaining = ctx.deadline.remaining();
      return Promise.resolve({ doc: {} });
    };
    await runAgent(['snapshot', '--timeout', '15000'], io, handlers({ snapshot }));
    expect(remaining).toBeLessThanOrEqual(commandBudget(15000));
    expect(remaining).toBeGreaterThan(13_000);
  });

  it('does not let a hanging clean-up keep the agent past --timeout', async () => {
    const io = new CapturedIo();
    const messages = (_c: unknown, ctx: CommandContext): Promise<CommandOutcome> => {
      ctx.defer(() => new Promise<void>(() => undefined));
      return Promise.resolve({ doc: { count: 0 } });
    };
    const started = Date.now();
    expect(await runAgent(['messages', '--topic', 't', '--timeout', '300'], io, handlers({ messages }))).toBe(
      0,
    );
    expect(Date.now() - started).toBeLessThan(1000);
    expect(io.lines()).toEqual([{ count: 0 }]);
  });

  it('runs clean-ups after printing, last registered first, past failures', async () => {
    const io = new CapturedIo();
    const order: string[] = [];
    const topic = (_c: unknown, ctx: CommandContext): Promise<CommandOutcome> => {
      ctx.defer(() => Promise.resolve(void order.push(`first (printed: ${io.out !== ''})`)));
      ctx.defer(() =>
        Promise.reject(new Error('fails but does not stop the others')).finally(() => order.push('second')),
      );
      return Promise.resolve({ doc: {} });
    };
    await runAgent(['topic', 'orders'], io, handlers({ topic }));
    expect(order).toEqual(['second', 'first (printed: true)']);
  });
});

describe('asKafkaError', () => {
  it('calls connection failures unreachable, looking through kafkajs wrappers', () => {
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED'), {
      name: 'KafkaJSConnectionError',
    });
    const wrapped = Object.assign(new Error('retries exceeded'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      cause: refused,
    });
    expect(asKafkaError(wrapped, 'reading orders')).toMatchObject({
      code: 'kafka_unreachable',
      message: 'reading orders: retries exceeded: Connection error: connect ECONNREFUSED',
    });
    expect(asKafkaError(new Error('Not authorized'), 'x').code).toBe('kafka_error');
    const own = new AgentError('timeout', 'late');
    expect(asKafkaError(own, 'x')).toBe(own);
  });
});
