import { afterEach, describe, expect, it } from 'vitest';
import type { EnvInfo, EnvRef, EnvSpec } from '../../../server/env/EnvironmentBackend.ts';
import { InstantBackend } from '../../../server/env/InMemoryEnvironments.ts';
import type { EnvMessage, EnvStatus, Outline } from '../../../server/http/apiTypes.ts';
import type { Progress } from '../../../server/progress.ts';
import { Client, Socket } from './classroomSupport.ts';
import { startApp, type Harness } from './harness.ts';

/** A backend whose engine stops answering while `down` is set, as a stopped Docker daemon does. */
class UnreachableBackend extends InstantBackend {
  down = false;
  private check(): void {
    if (this.down)
      throw Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' });
  }
  override async create(spec: EnvSpec, progress?: Progress): Promise<EnvInfo> {
    this.check();
    return super.create(spec, progress);
  }
  override async status(ref: EnvRef): Promise<EnvInfo | undefined> {
    this.check();
    return super.status(ref);
  }
  override async stop(ref: EnvRef): Promise<void> {
    this.check();
    return super.stop(ref);
  }
  override async remove(ref: EnvRef): Promise<void> {
    this.check();
    return super.remove(ref);
  }
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const isStatus =
  (phase: EnvStatus['phase']) =>
  (m: EnvMessage): boolean =>
    m.type === 'status' && m.status.phase === phase;

describe('a container engine that stops answering mid-class', () => {
  it('tells the student "unavailable, retrying", keeps chapters working, and recovers by itself', async () => {
    const backend = new UnreachableBackend();
    h = await startApp({ backend });
    const c = new Client(h.base);
    expect((await c.call('POST', '/api/session', { name: 'ada' })).status).toBe(200);
    expect((await c.call('POST', '/api/env', { labId: 'topics' })).status).toBe(202);
    const feed = new Socket<EnvMessage>(h, '/ws/env', { cookie: c.cookie });
    await feed.next(isStatus('running'), 'running');

    backend.down = true;
    // Pushed by the server's own polling: the page needs to do nothing.
    await feed.next(isStatus('unavailable'), 'unavailable');
    const status = await c.call<EnvStatus>('GET', '/api/env');
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({
      phase: 'unavailable',
      error: { error: 'env_unavailable', message: 'Environment unavailable, retrying' },
    });
    // Chapters and progress do not need the engine.
    const outline = await c.call<Outline>('GET', '/api/labs');
    expect(outline.status).toBe(200);
    expect((await c.call('GET', '/api/labs/topics')).status).toBe(200);
    // Starting or resetting says the same, as a 503 with the reason (not an internal error).
    const start = await c.call<{ error: string; message: string }>('POST', '/api/env', { labId: 'topics' });
    expect(start.status).toBe(503);
    expect(start.json).toMatchObject({ error: 'env_unavailable' });
    expect((await c.call('DELETE', '/api/env')).status).toBe(503);

    const before = feed.messages.length;
    backend.down = false;
    await feed.until(
      () => feed.messages.slice(before).some(isStatus('running')),
      'running again once the engine answers',
    );
    await feed.close();
  });
});
