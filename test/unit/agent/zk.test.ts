import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ZkClient } from '../../../agent/zk.ts';
import { cat, i32, i64, str32 } from './bytes.ts';

/**
 * A ZooKeeper server on loopback that speaks just enough jute: it answers the handshake, then
 * getChildren/getData/exists from an in-memory tree, and records the op codes it saw.
 */
class FakeZkServer {
  ops: number[] = [];
  private readonly server: net.Server;

  constructor(
    private readonly tree: Record<string, { data: string | null; children: string[] }>,
    private readonly behaviour: 'normal' | 'drops-handshake' | 'refuses-session' = 'normal',
  ) {
    this.server = net.createServer((socket) => this.serve(socket));
  }

  async listen(): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return { host: '127.0.0.1', port: (this.server.address() as net.AddressInfo).port };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    let buffered = Buffer.alloc(0);
    let handshaken = false;
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
        buffered = buffered.subarray(4 + frame.length);
        if (!handshaken) {
          handshaken = true;
          // A server without quorum reads the handshake and hangs up.
          if (this.behaviour === 'drops-handshake') return void socket.destroy();
          const timeout = this.behaviour === 'refuses-session' ? 0 : 10_000;
          socket.write(framed(cat(i32(0), i32(timeout), i64(0x1234n), i32(16), Buffer.alloc(16))));
          continue;
        }
        this.reply(socket, frame);
      }
    });
  }

  private reply(socket: net.Socket, frame: Buffer): void {
    const xid = frame.readInt32BE(0);
    const op = frame.readInt32BE(4);
    this.ops.push(op);
    if (op === -11) {
      socket.end(framed(cat(i32(xid), i64(1n), i32(0))));
      return;
    }
    const pathLength = frame.readInt32BE(8);
    const path = frame.subarray(12, 12 + pathLength).toString('utf8');
    const node = this.tree[path];
    if (path === '/forbidden') return void socket.write(framed(cat(i32(xid), i64(1n), i32(-102))));
    if (!node) return void socket.write(framed(cat(i32(xid), i64(1n), i32(-101))));
    const stat = cat(
      i64(1n),
      i64(2n),
      i64(3n),
      i64(4n),
      i32(5),
      i32(6),
      i32(0),
      i64(0n),
      i32(0),
      i32(node.children.length),
      i64(7n),
    );
    const body =
      op === 8
        ? cat(i32(node.children.length), ...node.children.map((c) => str32(c)))
        : op === 4
          ? cat(str32(node.data), stat)
          : stat;
    socket.write(framed(cat(i32(xid), i64(1n), i32(0), body)));
  }
}

function framed(body: Buffer): Buffer {
  return cat(i32(body.length), body);
}

/** An address where nothing listens. */
async function closedAddress(): Promise<{ host: string; port: number }> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return { host: '127.0.0.1', port };
}

const TREE = {
  '/kafka/brokers/ids': { data: null, children: ['3', '1'] },
  '/kafka/controller': { data: '{"brokerid":3}', children: [] },
};

describe('ZkClient', () => {
  const servers: FakeZkServer[] = [];
  const start = async (s: FakeZkServer): Promise<{ host: string; port: number }> => {
    servers.push(s);
    return s.listen();
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('reads children, data and stats, and treats NONODE as absence', async () => {
    const fake = new FakeZkServer(TREE);
    const zk = await ZkClient.connect([await start(fake)]);
    expect(await zk.children('/kafka/brokers/ids')).toEqual(['3', '1']);
    expect((await zk.get('/kafka/controller'))?.data?.toString()).toBe('{"brokerid":3}');
    expect((await zk.exists('/kafka/brokers/ids'))?.numChildren).toBe(2);
    expect(await zk.children('/nope')).toBeNull();
    expect(await zk.get('/nope')).toBeNull();
    const failure: unknown = await zk.get('/forbidden').catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'zk_error' });
    expect((failure as Error).message).toContain('NOAUTH');
    await zk.close();
    expect(fake.ops).toEqual([8, 4, 3, 8, 4, 4, -11]);
  });

  it('moves on past refused, handshake-dropping and session-refusing servers, in order', async () => {
    const good = new FakeZkServer(TREE);
    const list = [
      await closedAddress(),
      await start(new FakeZkServer(TREE, 'drops-handshake')),
      await start(new FakeZkServer(TREE, 'refuses-session')),
      await start(good),
    ];
    const zk = await ZkClient.connect(list);
    expect(zk.server).toBe(`127.0.0.1:${list[3]?.port}`);
    await zk.close();
  });

  it('fails with zk_unreachable, naming each server, when none answers', async () => {
    const list = [await closedAddress(), await start(new FakeZkServer(TREE, 'drops-handshake'))];
    const failure: unknown = await ZkClient.connect(list, { connectTimeoutMs: 300 }).catch(
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ code: 'zk_unreachable' });
    expect((failure as Error).message).toMatch(/ECONNREFUSED.*connection closed/);
  });
});
