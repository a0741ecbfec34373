import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaWire } from '../../../agent/kafkaWire.ts';
import { cat, i32, str16 } from './bytes.ts';

/** A broker on loopback that answers every request with a one-broker Metadata v5 body. */
async function metadataBroker(nodeId: number, delayMs = 0): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.on('data', (frame: Buffer) => {
      const correlationId = frame.readInt32BE(8);
      const body = cat(
        i32(0),
        i32(1),
        i32(nodeId),
        str16('127.0.0.1'),
        i32(1),
        str16(null),
        str16('c'),
        i32(nodeId),
        i32(0),
      );
      const response = cat(i32(correlationId), body);
      setTimeout(() => socket.write(cat(i32(response.length), response)), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

/** A port that looks like a broker but speaks HTTP, like a proxy in front of a stopped one. */
async function httpSpeaker(): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.resume(); // read the client's request so its close is noticed
    socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

describe('KafkaWire.metadata', () => {
  const servers: net.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('takes the first bootstrap server that answers and says which one it was', async () => {
    const slow = await metadataBroker(1, 200);
    const fast = await metadataBroker(2);
    const bad = await httpSpeaker();
    servers.push(slow.server, fast.server, bad.server);
    const wire = new KafkaWire([
      { host: '127.0.0.1', port: bad.port },
      { host: '127.0.0.1', port: slow.port },
      { host: '127.0.0.1', port: fast.port },
    ]);
    const meta = await wire.metadata(null);
    await wire.close();
    expect(meta.answeredBy).toBe(`127.0.0.1:${fast.port}`);
    expect(meta.controllerId).toBe(2);
  });

  it('fails with kafka_unreachable listing every reason when none answers', async () => {
    const bad = await httpSpeaker();
    servers.push(bad.server);
    const wire = new KafkaWire([{ host: '127.0.0.1', port: bad.port }], { requestTimeoutMs: 200 });
    const failure: unknown = await wire.metadata(['orders']).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'kafka_unreachable' });
    expect((failure as Error).message).toContain('bad frame length');
    await wire.close();
  });
});
