import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EnvRef, EnvInfo } from '../../../server/env/EnvironmentBackend.ts';
import { InstantBackend } from '../../../server/env/InMemoryEnvironments.ts';
import type { TerminalEvent } from '../../../server/http/apiTypes.ts';
import { rawRequest, runningPushed, signIn, startApp, type Harness } from '../http/harness.ts';
import { upgradeStatus } from '../http/classroomSupport.ts';
import { sampleValue, samples } from './support.ts';

/** An engine that answers until told to fail, then throws a plain Error (not an AppError). */
class ExplodingBackend extends InstantBackend {
  explode = false;
  override status(ref: EnvRef): Promise<EnvInfo | undefined> {
    return this.explode ? Promise.reject(new Error('the engine vanished')) : super.status(ref);
  }
}

/** An engine whose list of environments fails (the Docker daemon went away). */
class UnlistableBackend extends InstantBackend {
  override list(): Promise<EnvInfo[]> {
    return Promise.reject(new Error('connect ENOENT /var/run/docker.sock'));
  }
}

/** Every metric of ours, with its type. */
const OURS = {
  kafkalab_environments: 'gauge',
  kafkalab_queue_length: 'gauge',
  kafkalab_pool_size: 'gauge',
  kafkalab_terminals_active: 'gauge',
  kafkalab_boot_duration_seconds: 'histogram',
  kafkalab_resume_duration_seconds: 'histogram',
  kafkalab_check_duration_seconds: 'histogram',
  kafkalab_http_5xx_total: 'counter',
} as const;

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const scrape = async (
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; res: Response }> => {
  const res = await fetch(`${h?.base}/metrics`, { headers });
  return { status: res.status, body: await res.text(), res };
};

describe('GET /metrics without a token (loopback)', () => {
  it('lists every metric with HELP and TYPE lines, and the default process metrics', async () => {
    h = await startApp({ metrics: { token: '' } });
    const { status, body, res } = await scrape();
    expect(status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    for (const [name, type] of Object.entries(OURS)) {
      expect(body, name).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
      expect(body, name).toContain(`\n# TYPE ${name} ${type}\n`);
    }
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_start_time_seconds',
      'nodejs_heap_size_used_bytes',
    ])
      expect(body, name).toContain(`# TYPE ${name} `);
    // Every state and mode has a series, at 0 on an empty engine; no queue, pool or terminals yet.
    expect(samples(body).filter((s) => s.name === 'kafkalab_environments')).toHaveLength(8);
    expect(sampleValue(body, 'kafkalab_environments', { state: 'running', mode: 'ready' })).toBe(0);
    expect(sampleValue(body, 'kafkalab_queue_length')).toBe(0);
    expect(sampleValue(body, 'kafkalab_pool_size', { mode: 'ready' })).toBe(0);
    expect(sampleValue(body, 'kafkalab_terminals_active')).toBe(0);
  });

  it('moves after a boot, a check, a terminal and a 5xx, and not after a 4xx or a quiz', async () => {
    const backend = new ExplodingBackend();
    h = await startApp({ backend, metrics: { token: '' } });
    const alice = await signIn(h.base, 'alice');
    const call = (method: string, url: string, body?: unknown): Promise<Response> =>
      fetch(`${h?.base}${url}`, {
        method,
        headers: { cookie: alice, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    const running = runningPushed(h.base, alice);
    expect((await call('POST', '/api/env', { labId: 'topics' })).status).toBe(202);
    await running;

    h.nodes.agent['topic orders'] = {
      name: 'orders',
      exists: true,
      partitions: [{ partition: 0, leader: 1, replicas: [1], isr: [1], offline: [] }],
      replicationFactor: 1,
      configs: {},
    };
    expect(await (await call('POST', '/api/labs/topics/checks/orders-topic', {})).json()).toMatchObject({
      status: 'fail',
    });
    expect((await call('POST', '/api/labs/topics/checks/what-is-a-partition', { answer: [0] })).status).toBe(
      200,
    );
    expect((await call('GET', '/api/nope')).status).toBe(404);

    const ws = new WebSocket(`${h.base.replace('http', 'ws')}/ws/terminal?node=bigdata01`, {
      headers: { cookie: alice },
    });
    const attached = await new Promise<TerminalEvent>((resolve, reject) => {
      ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString('utf8')) as TerminalEvent));
      ws.once('error', reject);
    });
    expect(attached.type).toBe('attached');

    const before = (await scrape()).body;
    expect(sampleValue(before, 'kafkalab_environments', { state: 'running', mode: 'ready' })).toBe(1);
    expect(sampleValue(before, 'kafkalab_environments', { state: 'running', mode: 'install' })).toBe(0);
    expect(
      sampleValue(before, 'kafkalab_boot_duration_seconds_count', { mode: 'ready', outcome: 'ok' }),
    ).toBe(1);
    expect(samples(before).filter((s) => s.name === 'kafkalab_resume_duration_seconds_count')).toEqual([]);
    const checks = samples(before).filter((s) => s.name === 'kafkalab_check_duration_seconds_count');
    expect(checks).toEqual([
      {
        name: 'kafkalab_check_duration_seconds_count',
        labels: { type: 'kafka.topic', status: 'fail' },
        value: 1,
      },
    ]);
    expect(sampleValue(before, 'kafkalab_terminals_active')).toBe(1);
    expect(samples(before).filter((s) => s.name === 'kafkalab_http_5xx_total')).toEqual([]);

    backend.explode = true;
    expect((await call('GET', '/api/env')).status).toBe(500);
    expect((await call('GET', '/api/env')).status).toBe(500);
    const after = (await scrape()).body;
    expect(sampleValue(after, 'kafkalab_http_5xx_total', { reason: 'internal' })).toBe(2);
    ws.close();
  });

  it('counts an upgrade refused with a 5xx, as it counts HTTP answers', async () => {
    h = await startApp({ metrics: { token: '' } });
    const alice = await signIn(h.base, 'alice');
    // The store failing under the session lookup: nothing the client did wrong.
    h.store.sessionStudent = () => {
      throw new Error('disk I/O error');
    };
    expect(await upgradeStatus(h, '/ws/env', { cookie: alice })).toBe(500);
    const { body } = await scrape();
    expect(sampleValue(body, 'kafkalab_http_5xx_total', { reason: 'internal' })).toBe(1);
  });

  it('reads the queue and pool from the providers it was given', async () => {
    let waiting = 3;
    h = await startApp({
      metrics: { token: '', queueLength: () => waiting, poolSize: () => ({ ready: 2, install: 1 }) },
    });
    expect(sampleValue((await scrape()).body, 'kafkalab_queue_length')).toBe(3);
    waiting = 1;
    const body = (await scrape()).body;
    expect(sampleValue(body, 'kafkalab_queue_length')).toBe(1);
    expect(sampleValue(body, 'kafkalab_pool_size', { mode: 'ready' })).toBe(2);
    expect(sampleValue(body, 'kafkalab_pool_size', { mode: 'install' })).toBe(1);
  });

  it('still answers when the engine cannot list environments, without their series', async () => {
    h = await startApp({ backend: new UnlistableBackend(), metrics: { token: '' } });
    const { status, body } = await scrape();
    expect(status).toBe(200);
    expect(body).toContain('# TYPE kafkalab_environments gauge');
    expect(samples(body).filter((s) => s.name === 'kafkalab_environments')).toEqual([]);
    expect(sampleValue(body, 'kafkalab_queue_length')).toBe(0);
    expect(h.errors).toEqual([]);
  });

  it('is not served when the app was built without metrics', async () => {
    h = await startApp();
    expect((await scrape()).status).toBe(404);
  });
});

describe('GET /metrics with a token', () => {
  const token = 'kl-metrics-0123456789';

  it('answers only the right Bearer token: 401 with a challenge otherwise, never a 5xx', async () => {
    h = await startApp({ metrics: { token } });
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(none.res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect(JSON.parse(none.body)).toMatchObject({ error: 'metrics_unauthorized' });
    expect(none.body).not.toContain('kafkalab_');
    expect((await scrape({ authorization: 'Bearer wrong-token' })).status).toBe(401);
    expect((await scrape({ authorization: `Bearer ${token}x` })).status).toBe(401);
    for (const malformed of [
      'Bearer',
      `Basic ${Buffer.from(`u:${token}`).toString('base64')}`,
      token,
      `Bearer${token}`,
    ])
      expect((await scrape({ authorization: malformed })).status, malformed).toBe(401);
    // Bytes fetch would refuse to send: a raw request with a non-ASCII, control-laden header.
    const raw = await rawRequest(
      h.port,
      Buffer.concat([
        Buffer.from(
          `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nConnection: close\r\nAuthorization: Bearer `,
        ),
        Buffer.from([0xff, 0xfe, 0x01, 0x7f]),
        Buffer.from('\r\n\r\n'),
      ]),
    );
    expect([400, 401]).toContain(raw.status);

    const right = await scrape({ authorization: `Bearer ${token}` });
    expect(right.status).toBe(200);
    expect(right.body).toContain('# TYPE kafkalab_environments gauge');
    expect((await scrape({ authorization: `bearer  ${token} ` })).status).toBe(200);
    expect(h.errors).toEqual([]);
    const counted = (await scrape({ authorization: `Bearer ${token}` })).body;
    expect(samples(counted).filter((s) => s.name === 'kafkalab_http_5xx_total')).toEqual([]);
  });
});
