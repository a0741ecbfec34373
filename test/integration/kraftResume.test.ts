import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentContext, runCheck } from '../../server/checks/registry.ts';
import { checkTypes } from '../../server/checks/registry.ts';
import { bindNodes, type EnvInfo } from '../../server/env/EnvironmentBackend.ts';
import { newEnvId } from '../../server/env/naming.ts';
import { runScript } from '../../server/env/readiness.ts';
import { loadCourse } from '../../server/labs/loader.ts';
import type { CheckExercise } from '../../server/labs/model.ts';
import type { ProgressEvent } from '../../server/progress.ts';
import { projectPaths } from '../../server/paths.ts';
import { cleanupPrefix, dumpLogsOnFailure, testEnvironments } from './support/docker.ts';

/**
 * A cluster migrated to KRaft (the kraft lab's end state) survives a stop and start: the
 * controllers come back before the brokers, readiness counts brokers that no longer register in
 * ZooKeeper, and the lab's checks still pass.
 */
const PREFIX = 'kltest-kraft';
const { docker, backend, access } = testEnvironments(PREFIX);
const kraft = loadCourse(projectPaths.labs, checkTypes).labs.find((l) => l.id === 'kraft');
let env: EnvInfo;

beforeAll(async () => {
  await cleanupPrefix(docker, PREFIX);
  env = await backend.create({ id: newEnvId(), owner: 'itest-kraft', mode: 'ready' });
}, 240_000);

afterAll(async () => {
  await cleanupPrefix(docker, PREFIX);
});

describe('an environment migrated to KRaft', () => {
  it('comes back after stop and start with its controllers, brokers and messages', async () => {
    dumpLogsOnFailure(docker, PREFIX);
    if (!kraft) throw new Error('labs/kraft is missing');
    const solved = await runScript(access, env, 'bigdata01', readFileSync(kraft.solve, 'utf8'), 600_000);
    expect(solved.exitCode, solved.stderr.slice(-2000)).toBe(0);
    await access.writeFile(env, 'bigdata02', '/root/keep.txt', Buffer.from('still here'));

    await backend.stop(env);
    const events: ProgressEvent[] = [];
    await backend.start(env, (e) => events.push(e));
    expect(events.filter((e) => e.phase === 'brokers').at(-1)).toMatchObject({ done: 3, total: 3 });
    expect((await access.readFile(env, 'bigdata02', '/root/keep.txt')).content.toString()).toBe('still here');

    const ctx = environmentContext(bindNodes(access, env));
    const verdicts: Record<string, string> = {};
    for (const id of ['controller-quorum', 'brokers-kraft', 'no-message-lost', 'topic-after-zookeeper']) {
      const e = kraft.exercises.find((x) => x.id === id) as CheckExercise;
      const r = await runCheck(e, ctx);
      verdicts[id] = `${r.status}: ${r.message.en}`;
    }
    expect(
      Object.values(verdicts).every((v) => v.startsWith('pass')),
      JSON.stringify(verdicts, null, 2),
    ).toBe(true);
  }, 900_000);
});
