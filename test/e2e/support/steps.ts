import path from 'node:path';
import { checkTypes } from '../../../server/checks/registry.ts';
import { loadCourse } from '../../../server/labs/loader.ts';
import { projectRoot } from '../../../server/paths.ts';

/** The step (0-based) of a course lab that holds an exercise. */
export function stepOf(labId: string, exerciseId: string): number {
  const lab = loadCourse(path.join(projectRoot, 'labs'), checkTypes).labs.find((l) => l.id === labId);
  const step = lab?.steps.find((s) =>
    s.segments.some((seg) => seg.kind === 'exercise' && seg.id === exerciseId),
  );
  if (step === undefined) throw new Error(`${labId} has no exercise ${exerciseId}`);
  return step.index;
}
