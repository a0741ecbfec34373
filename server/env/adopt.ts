import type { Logger } from '../log.ts';
import type { StudentStore } from '../store/Store.ts';
import type { EnvironmentBackend } from './EnvironmentBackend.ts';
import { legacyEnvIdFor } from './naming.ts';

/**
 * Environments made by earlier versions are named by an id derived from the owner's name. On
 * start, each one whose owner label is a student of the store, and whose id is exactly what that
 * name derives to, becomes that student's environment (their files and cluster are kept) unless
 * the student already has one under their store id. Nothing else is adopted: an id is only ever
 * given to the student whose exact name is on the containers. Returns the adopted ids.
 */
export async function adoptLegacyEnvironments(
  backend: EnvironmentBackend,
  store: StudentStore,
  log: Logger,
): Promise<string[]> {
  const envs = await backend.list();
  const present = new Set(envs.map((e) => e.id));
  const students = store.students();
  const known = new Set(students.map((s) => s.envId));
  const byName = new Map(students.map((s) => [s.name, s]));
  const adopted: string[] = [];
  for (const env of envs) {
    if (known.has(env.id)) continue;
    const student = byName.get(env.owner);
    if (student === undefined || legacyEnvIdFor(student.name) !== env.id || present.has(student.envId))
      continue;
    store.setEnvId(student.id, env.id);
    known.add(env.id);
    adopted.push(env.id);
    log.info({ envId: env.id, studentId: student.id }, 'adopted an environment of an earlier version');
  }
  return adopted;
}
