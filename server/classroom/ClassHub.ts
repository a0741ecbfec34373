import type { GradingService } from '../checks/GradingService.ts';
import type { EnvManager } from '../env/EnvManager.ts';
import type { ClassMessage, EnvPhase } from '../http/apiTypes.ts';
import type { Logger } from '../log.ts';
import type { ClassroomStore } from '../store/Store.ts';
import type { ClassView } from './ClassView.ts';

type Listener = (m: ClassMessage) => void;

/**
 * Live gradebooks: instructors' sockets subscribe to a class; every attempt or hint recorded for
 * one of its students pushes that student's new row (one student's gradebook, not the class's),
 * and roster or lab changes push the whole gradebook again. Nothing is polled.
 */
export class ClassHub {
  private readonly listeners = new Map<number, Set<Listener>>();
  private readonly progress: { dispose(): void };
  private readonly phases: { dispose(): void };

  constructor(
    private readonly store: ClassroomStore,
    private readonly view: ClassView,
    grading: GradingService,
    envs: EnvManager,
    private readonly log: Logger,
  ) {
    this.progress = grading.onProgress(({ studentId }) => this.studentChanged(studentId));
    // Students start, stop and reset their own environments too: the grid shows each change.
    this.phases = envs.onPhase((owner, phase) => {
      if (this.listeners.size === 0) return;
      const user = this.store.userByEnvId(owner.envId);
      if (user !== undefined && user.name === owner.name) this.envChanged(user.id, phase);
    });
  }

  /** Sends the class's gradebook at once, then its changes, until disposed. */
  subscribe(classId: number, listener: Listener): { dispose(): void } {
    let set = this.listeners.get(classId);
    if (set === undefined) this.listeners.set(classId, (set = new Set()));
    set.add(listener);
    const cls = this.store.classById(classId);
    if (cls !== undefined) listener({ type: 'gradebook', gradebook: this.view.gradebook(cls) });
    return {
      dispose: () => {
        set.delete(listener);
        if (set.size === 0) this.listeners.delete(classId);
      },
    };
  }

  /** The class's roster, labs or due dates changed: everyone watching gets the whole gradebook. */
  classChanged(classId: number): void {
    const set = this.listeners.get(classId);
    const cls = set === undefined ? undefined : this.store.classById(classId);
    if (set === undefined || cls === undefined) return;
    this.send(set, { type: 'gradebook', gradebook: this.view.gradebook(cls) });
  }

  /** A student's environment changed state (an instructor stopped or reset it). */
  envChanged(studentId: number, phase: EnvPhase): void {
    for (const classId of this.store.classIdsOfStudent(studentId)) {
      const set = this.listeners.get(classId);
      if (set !== undefined) this.send(set, { type: 'env', studentId, phase });
    }
  }

  dispose(): void {
    this.progress.dispose();
    this.phases.dispose();
    this.listeners.clear();
  }

  private studentChanged(studentId: number): void {
    if (this.listeners.size === 0) return;
    const student = this.store.userById(studentId);
    if (student === undefined) return;
    for (const classId of this.store.classIdsOfStudent(studentId)) {
      const set = this.listeners.get(classId);
      const cls = set === undefined ? undefined : this.store.classById(classId);
      if (set === undefined || cls === undefined) continue;
      const row = this.view.row(cls, student);
      if (row !== undefined) this.send(set, { type: 'row', row });
    }
  }

  private send(set: Set<Listener>, m: ClassMessage): void {
    for (const l of set) {
      try {
        l(m);
      } catch (err) {
        this.log.debug({ err }, 'class listener failed');
      }
    }
  }
}
