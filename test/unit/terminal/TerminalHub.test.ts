import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { bindNodes, type EnvRef } from '../../../server/env/EnvironmentBackend.ts';
import { newEnvId } from '../../../server/env/naming.ts';
import { TerminalHub, type TerminalSink } from '../../../server/terminal/TerminalHub.ts';
import { InMemoryNodes, InstantBackend } from '../../../server/env/InMemoryEnvironments.ts';

const log = pino({ level: 'silent' });

async function hubWithShell(): Promise<{ hub: TerminalHub; nodes: InMemoryNodes; env: EnvRef }> {
  const backend = new InstantBackend();
  const env = await backend.create({ id: newEnvId(), owner: 'alice', mode: 'ready' });
  const nodes = new InMemoryNodes(backend);
  return { hub: new TerminalHub(log, { graceMs: 60_000, scrollbackBytes: 1024 }), nodes, env };
}

const sink = (): TerminalSink & { out: string[] } => {
  const out: string[] = [];
  return {
    out,
    attached: () => undefined,
    data: (c) => out.push(c.toString()),
    exit: () => undefined,
    replaced: () => undefined,
  };
};

describe('TerminalHub flow control', () => {
  it('keeps a terminal the browser paused paused when the server’s back-pressure drains', async () => {
    const { hub, nodes, env } = await hubWithShell();
    const a = await hub.attach(bindNodes(nodes, env), 'bigdata01', { cols: 80, rows: 24 }, sink());
    const stream = nodes.terminals[0]?.stream;
    if (!stream) throw new Error('no terminal opened');
    expect(stream.isPaused()).toBe(false);

    a.pause('browser');
    a.pause('backpressure');
    a.resume('backpressure'); // the socket drained; the browser still has not caught up
    expect(stream.isPaused()).toBe(true);
    a.resume('browser');
    expect(stream.isPaused()).toBe(false);

    // And the other way round: the browser resuming does not override back-pressure.
    a.pause('backpressure');
    a.pause('browser');
    a.resume('browser');
    expect(stream.isPaused()).toBe(true);
    a.resume('backpressure');
    expect(stream.isPaused()).toBe(false);
    await hub.dispose();
  });

  it('lets output flow into the scrollback once nobody is attached, whatever held it', async () => {
    const { hub, nodes, env } = await hubWithShell();
    const a = await hub.attach(bindNodes(nodes, env), 'bigdata01', { cols: 80, rows: 24 }, sink());
    a.pause('browser');
    a.pause('backpressure');
    a.detach();
    expect(nodes.terminals[0]?.stream.isPaused()).toBe(false);
    await hub.dispose();
  });
});
