import type { Config } from '../config.ts';
import { messageOf } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { StudentStore } from '../store/Store.ts';
import type { Disposable } from './EnvManager.ts';
import type { EnvironmentBackend, EnvRemains } from './EnvironmentBackend.ts';

/** When the reaper acts, in milliseconds. */
export interface ReaperPolicy {
  /** From the end of one pass to the start of the next. */
  readonly intervalMs: number;
  /**
   * A complete environment no student owns is removed once its newest object is this old: a
   * creation for someone the store does not know yet (the CLI's, a test's) is younger.
   */
  readonly graceMs: number;
  /**
   * A half-created environment is removed once this old, after the first pass (which removes
   * them at any age): another process may still be creating it (`kafkalab env create`), and its
   * creation has succeeded or failed, and cleaned up after itself, within the boot timeout.
   */
  readonly partialGraceMs: number;
  /** Removals at the same time: each is several engine calls, which slow students' boots. */
  readonly concurrency: number;
}

/** The reaper's policy from the configuration table. */
export function reaperPolicy(
  config: Pick<Config, 'reaperIntervalSec' | 'reaperGraceSec' | 'bootTimeoutSec'>,
): ReaperPolicy {
  return {
    intervalMs: config.reaperIntervalSec * 1000,
    graceMs: config.reaperGraceSec * 1000,
    // A minute on top of the boot timeout: the image lookup and the cleanup of a failed boot.
    partialGraceMs: (config.bootTimeoutSec + 60) * 1000,
    concurrency: 2,
  };
}

/** What the reaper reads and marks in the store. */
export type ReaperStore = Pick<StudentStore, 'students' | 'envNotice' | 'setEnvNotice'>;

/** What the reaper is given. */
export interface ReaperDeps {
  readonly backend: Pick<EnvironmentBackend, 'survey' | 'discard'>;
  readonly store: ReaperStore;
  readonly log: Logger;
  readonly policy: ReaperPolicy;
  /** The clock (tests move it); Date.now by default. */
  readonly now?: () => number;
  /** Ids another part of this process holds (the warm pool's members): never removed. */
  readonly holds?: (envId: string) => boolean;
  /** Told after a student was marked `missing` (the server pushes their new status). */
  readonly onMissing?: (envId: string) => void;
}

/** What one pass did. */
export interface ReapReport {
  /** Complete environments no student owns, past the grace period: removed. */
  readonly orphans: string[];
  /** Half-created environments (and lone networks or volumes): removed. */
  readonly halfCreated: string[];
  /** Students whose environment vanished without Kafka Lab removing it: marked `missing`. */
  readonly missing: string[];
  /** Removals that failed; tried again on the next pass. */
  readonly failed: string[];
  /** The pass could not run (the engine or the store did not answer); nothing was changed. */
  readonly error?: string;
}

/**
 * Reconciles the engine with the store, at start and then periodically: removes what no student
 * owns (after a grace period) and what was left half-created, and marks students whose complete
 * environment vanished behind Kafka Lab's back. Everything it sees is filtered by the backend's
 * prefix, so servers with other prefixes on the same engine are never touched. Environments this
 * process is creating, removing or holding (the warm pool's) are left alone, and so are complete
 * warm-pool ones the store does not name yet: those are the pool's.
 */
export class Reaper {
  /** Student environments seen complete, whose disappearance is news. */
  private readonly seen = new Set<string>();
  /** Ids Kafka Lab removed or stopped during the current pass (see `forget`). */
  private forgotten = new Set<string>();
  private running: Promise<ReapReport> | undefined;
  /** Whether a pass has run to its end: the first removes half-created ones at any age. */
  private reaped = false;
  /** Half-created ones the first pass could not remove: an earlier run's, so any age is fine. */
  private readonly earlierRun = new Set<string>();
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly deps: ReaperDeps) {
    this.log = deps.log.child({ component: 'reaper' });
    this.now = deps.now ?? Date.now;
  }

  /**
   * Kafka Lab removed or stopped this environment itself (EnvManager's onRemoved): its
   * disappearance is not news. Also covers a pass under way, which may have seen it before.
   */
  forget(envId: string): void {
    this.seen.delete(envId);
    this.forgotten.add(envId);
  }

  /**
   * One pass; a pass already under way is joined instead. Never rejects: a failure is logged and
   * reported. Aborting stops it before its next removal.
   */
  pass(signal?: AbortSignal): Promise<ReapReport> {
    if (this.running) return this.running;
    const run = this.reap(signal)
      .catch((err: unknown): ReapReport => {
        this.log.error({ err }, 'reaper pass failed; trying again on the next one');
        return { orphans: [], halfCreated: [], missing: [], failed: [], error: messageOf(err) };
      })
      .finally(() => (this.running = undefined));
    this.running = run;
    return run;
  }

  /**
   * Runs a pass every `intervalMs` (after the previous one ends) until disposed. The timer does
   * not keep the process alive; the first periodic pass comes one interval from now.
   */
  start(): Disposable {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const schedule = (): void => {
      if (controller.signal.aborted) return;
      timer = setTimeout(() => void this.pass(controller.signal).then(schedule), this.deps.policy.intervalMs);
      timer.unref();
    };
    schedule();
    return {
      dispose: () => {
        controller.abort();
        clearTimeout(timer);
      },
    };
  }

  private async reap(signal: AbortSignal | undefined): Promise<ReapReport> {
    const { backend, store, policy } = this.deps;
    const atStart = !this.reaped;
    this.forgotten = new Set();
    const remains = await backend.survey();
    // Read after the survey: whatever the survey found finished had its store row by then.
    const known = new Set(store.students().map((s) => s.envId));
    const now = this.now();

    const removals: { env: EnvRemains; why: 'orphans' | 'halfCreated' }[] = [];
    for (const env of remains) {
      if (env.stage === 'busy' || this.deps.holds?.(env.id) === true) continue;
      const age = now - Date.parse(env.createdAt);
      if (env.stage === 'partial') {
        if (atStart || this.earlierRun.has(env.id) || age >= policy.partialGraceMs)
          removals.push({ env, why: 'halfCreated' });
      } else if (!known.has(env.id) && !env.pooled && age >= policy.graceMs) {
        removals.push({ env, why: 'orphans' });
      }
    }

    const report = { orphans: [] as string[], halfCreated: [] as string[], missing: [] as string[] };
    const failed: string[] = [];
    await eachLimited(removals, policy.concurrency, async ({ env, why }) => {
      if (signal?.aborted === true) return;
      try {
        if (!(await backend.discard(env.id))) return;
        report[why].push(env.id);
        this.log.info(
          { envId: env.id, pooled: env.pooled, createdAt: env.createdAt },
          why === 'orphans' ? 'removed an environment no student owns' : 'removed a half-created environment',
        );
      } catch (err) {
        failed.push(env.id);
        if (atStart && why === 'halfCreated') this.earlierRun.add(env.id);
        this.log.warn({ err, envId: env.id }, 'could not remove; trying again on the next pass');
      }
    });

    const removed = new Set([...report.orphans, ...report.halfCreated]);
    const surveyed = new Set(remains.map((e) => e.id));
    for (const id of this.earlierRun) if (removed.has(id) || !surveyed.has(id)) this.earlierRun.delete(id);
    // Vanished: not found, or found without its servers or its marker (a student cannot use
    // that either), where a pass before found it whole.
    const intact = new Set(
      remains.filter((e) => e.stage !== 'partial' && !removed.has(e.id)).map((e) => e.id),
    );
    for (const id of [...this.seen]) {
      if (intact.has(id)) continue;
      this.seen.delete(id);
      // The store moved on (a pool claim, a removed account), or a notice already explains it.
      if (!known.has(id)) continue;
      const notice = store.envNotice(id);
      if (notice === 'expired' || notice === 'missing') continue;
      store.setEnvNotice(id, 'missing');
      report.missing.push(id);
      this.log.warn({ envId: id }, 'a student environment vanished without Kafka Lab removing it');
      try {
        this.deps.onMissing?.(id);
      } catch (err) {
        this.log.debug({ err, envId: id }, 'could not tell the student');
      }
    }
    for (const env of remains) {
      if (
        env.stage === 'complete' &&
        known.has(env.id) &&
        !removed.has(env.id) &&
        !this.forgotten.has(env.id)
      )
        this.seen.add(env.id);
    }
    this.reaped = true;

    const done: ReapReport = { ...report, failed };
    if (removed.size + report.missing.length + failed.length > 0) this.log.info(done, 'reaper pass');
    else this.log.debug({ environments: remains.length }, 'reaper pass: nothing to do');
    return done;
  }
}

/** Runs `fn` over `items`, at most `limit` at a time; resolves when all have settled. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
