import { describe, expect, it } from 'vitest';
import { Admission } from '../../../server/env/Admission.ts';
import type { CapacityView, EnvStatus } from '../../../server/http/apiTypes.ts';
import { classroomPerTest } from './classroomSupport.ts';

const { start } = classroomPerTest();

describe('the admins’ capacity view', () => {
  it('shows how full the host is and who waits in line; to admins only', async () => {
    const room = await start({ admission: new Admission({ capacity: 1, bootConcurrency: 1 }) });
    const tina = await room.instructor('tina');
    const cls = await room.createClass(tina);
    const ann = await room.student(cls.joinCode, 'ann');
    const bob = await room.student(cls.joinCode, 'bob');
    expect((await ann.call<EnvStatus>('POST', '/api/env', { labId: 'topics' })).status).toBe(202);
    const queued = await bob.call<EnvStatus>('POST', '/api/env', { labId: 'topics' });
    expect(queued.json).toMatchObject({ phase: 'queued', queue: { position: 1 } });

    const view = await room.admin.call<CapacityView>('GET', '/api/admin/capacity');
    expect(view.status).toBe(200);
    expect(view.json).toMatchObject({ capacity: 1, bootConcurrency: 1, occupied: 1, queued: 1 });
    expect(view.json.line).toEqual([{ name: 'bob', position: 1, etaSeconds: expect.any(Number) as unknown }]);

    for (const who of [tina, ann]) expect((await who.call('GET', '/api/admin/capacity')).status).toBe(403);
    expect((await room.client().call('GET', '/api/admin/capacity')).status).toBe(401);
  });
});
