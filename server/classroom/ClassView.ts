import type { EnvManager } from '../env/EnvManager.ts';
import type {
  ClassDetail,
  ClassStudent,
  ClassSummary,
  EnvPhase,
  GradebookJson,
  GradebookRow,
} from '../http/apiTypes.ts';
import type { Course } from '../labs/loader.ts';
import type { ClassRow, ClassroomStore, ProgressStore, User } from '../store/Store.ts';
import { gradebook } from './gradebook.ts';

/**
 * What instructors see of a class, built from the store, the course and the environments: one
 * place for the HTTP routes and the live class socket alike.
 */
export class ClassView {
  constructor(
    private readonly store: ClassroomStore & ProgressStore,
    private readonly course: () => Course,
    private readonly envs: EnvManager,
  ) {}

  summary(cls: ClassRow): ClassSummary {
    return {
      id: cls.id,
      name: cls.name,
      joinCode: formatJoinCode(cls.joinCode),
      open: cls.open,
      labs: cls.labs.map((l) => ({ labId: l.labId, due: l.due })),
      students: this.store.members(cls.id, 'student').length,
      instructors: this.store.members(cls.id, 'instructor').map((u) => u.name),
      createdAt: cls.createdAt,
    };
  }

  async detail(cls: ClassRow): Promise<ClassDetail> {
    const phases = await this.envs.phases();
    return {
      ...this.summary(cls),
      roster: this.store
        .members(cls.id, 'student')
        .map((u) => classStudent(u, phases.get(u.envId) ?? 'none')),
    };
  }

  gradebook(cls: ClassRow): GradebookJson {
    return gradebook({
      labs: this.course().labs,
      labIds: cls.labs.map((l) => l.labId),
      dueDates: new Map(cls.labs.map((l) => [l.labId, l.due])),
      students: this.store.members(cls.id, 'student'),
      progress: this.store.classProgress(cls.id),
    });
  }

  /** One student's row (after an attempt or a hint): the gradebook of one. */
  row(cls: ClassRow, student: User): GradebookRow | undefined {
    return this.studentGradebook(cls, student).rows[0];
  }

  /** The gradebook of one student of the class: the exercise columns and their row. */
  studentGradebook(cls: ClassRow, student: User): GradebookJson {
    return gradebook({
      labs: this.course().labs,
      labIds: cls.labs.map((l) => l.labId),
      dueDates: new Map(cls.labs.map((l) => [l.labId, l.due])),
      students: [student],
      progress: new Map([[student.id, this.store.progress(student.id)]]),
    });
  }
}

/** A roster entry. */
export function classStudent(u: User, env: EnvPhase): ClassStudent {
  return {
    id: u.id,
    name: u.name,
    displayName: u.displayName,
    email: u.email,
    env,
    activated: u.hasPassword,
  };
}

/** A stored join code as people read it: XXXX-XXXX. */
export function formatJoinCode(code: string): string {
  return code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
}
