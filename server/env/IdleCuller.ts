import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { EnvStatus } from '../http/apiTypes.ts';
import type { Logger } from '../log.ts';
import type { ClassroomStore, EnvTimesStore } from '../store/Store.ts';
import type { Disposable, EnvManager, EnvOwner } from './EnvManager.ts';
import type { EnvironmentBackend } from './EnvironmentBackend.ts';

/** When environments are stopped and removed, in milliseconds. */
export interface IdlePolicy {
  /** Without activity for this long, a running environment is stopped; 0: never. */
  readonly stopMs: number;
  /** How long before that stop the student's pages are warned; 0: no warning. */
  readonly warnMs: number;
  /** Stopped for this long, an environment is removed; 0: never. */
  readonly expireMs: number;
}

/** The options the idle policy is made from. */
export type IdleConfig = Pick<Config, 'idleStopSec' | 'idleWarnSec' | 'expireSec'>;

/**
 * The idle policy of a configuration, or a `bad_config` error naming both options when the
 * warning would start before the environment was ever idle (a warning as long as the idle time
 * would greet every student the moment they stop typing).
 */
export function checkIdleConfig(config: IdleConfig): IdlePolicy {
  if (config.idleStopSec > 0 && config.idleWarnSec >= config.idleStopSec) {
    throw new AppError(400, 'bad_config', 'The idle warning is not shorter than the idle time', {
      details:
        `KAFKALAB_IDLE_WARN=${config.idleWarnSec} must be less than KAFKALAB_IDLE_STOP=${config.idleStopSec}: ` +
        'the warning is the last part of the idle time. Lower KAFKALAB_IDLE_WARN or raise KAFKALAB_IDLE_STOP ' +
        '(KAFKALAB_IDLE_STOP=0 never stops idle environments).',
    });
  }
  return {
    stopMs: config.idleStopSec * 1000,
    warnMs: config.idleStopSec > 0 ? config.idleWarnSec * 1000 : 0,
    expireMs: config.expireSec * 1000,
  };
}

/** Told of every sign of a student at work: terminal input, API calls, a visible page's heartbeat. */
export interface ActivitySink {
  /** The student (as the session names them) did something; cheap, never throws. */
  record(student: EnvOwner): void;
}

/** What one pass did, by environment id. */
export interface CullReport {
  readonly warned: string[];
  readonly stopped: string[];
  readonly expired: string[];
}

/** What the culler works with. */
export interface IdleCullerDeps {
  readonly envs: Pick<EnvManager, 'stop' | 'reset' | 'status' | 'notify' | 'setNotice' | 'onPhase'>;
  /** Lists what the engine has; environments no student owns in the store are left alone. */
  readonly environments: Pick<EnvironmentBackend, 'list'>;
  readonly store: Pick<ClassroomStore, 'userByEnvId'> & EnvTimesStore;
  readonly log: Logger;
  readonly policy: IdlePolicy;
  /** The clock (ms since the epoch); tests move it by hand. */
  readonly now?: () => number;
  /** Stops and removals at once, default 2. */
  readonly concurrency?: number;
  /**
   * Time between passes; default from the policy (see `passInterval`). 0: no timer, passes only
   * when `sweep` is called (tests with a hand-moved clock).
   */
  readonly intervalMs?: number;
}

/**
 * A docker stop of three JVMs takes seconds and a removal more; two at once keep a pass short
 * without taking the engine and the two cores from students' own boots.
 */
const DEFAULT_CONCURRENCY = 2;
/** The longest gap between writes of a student's last activity: the store is not written per keystroke. */
const ACTIVE_WRITE_MS = 60_000;

/**
 * Time between passes: a quarter of the warning (so a warning starts within a quarter of its
 * length of being due, and is refreshed a few times while it runs), at least a second and at
 * most 30 s (one engine listing per pass is cheap; expiry needs no finer clock).
 */
export function passInterval(policy: IdlePolicy): number {
  const base = policy.warnMs > 0 ? policy.warnMs : policy.stopMs > 0 ? policy.stopMs : policy.expireMs;
  return Math.min(30_000, Math.max(1000, Math.floor(base / 4)));
}

/** A warning under way. */
interface Warning {
  readonly owner: EnvOwner;
  /** When the first warning was sent: the stop comes no sooner than `warnMs` after it. */
  readonly at: number;
}

/**
 * Stops environments nobody used for a while and removes those stopped for long (the
 * jupyterhub-idle-culler idea, fed like code-server's `heart.ts`): the web app tells it of
 * activity (`record`); each pass lists the engine's environments, maps them to students through
 * the store, warns the pages of those about to be stopped (`idle-warning` on /ws/env, refreshed
 * every pass, `idle-cleared` on the next activity), stops them when the idle time is up (files
 * kept; notice `idle_stopped`) and removes those stopped longer than the expiry (notice
 * `expired`; progress stays in the store). A student always gets the whole warning: a stop
 * comes no sooner than `warnMs` after the first warning was sent.
 *
 * Last activity lives in memory and, at most about once a minute per student, in the store, so a
 * restarted server (and `kafkalab env ls`) knows it; when the stop time was set lives in the
 * store. Environments the store does not know (a warm pool's, or ones the reaper removes) are
 * never touched.
 */
export class IdleCuller implements ActivitySink {
  private readonly now: () => number;
  private readonly concurrency: number;
  private readonly writeMs: number;
  /**
   * Last activity, by owner and environment id together (`keyOf`): a caller naming someone
   * else's environment id under their own name touches an entry nobody reads.
   */
  private readonly active = new Map<string, number>();
  /** When the last activity was written to the store, by the same key. */
  private readonly written = new Map<string, number>();
  private readonly warned = new Map<string, Warning>();
  private pass: Promise<CullReport> | undefined;

  constructor(private readonly deps: IdleCullerDeps) {
    this.now = deps.now ?? Date.now;
    this.concurrency = Math.max(1, deps.concurrency ?? DEFAULT_CONCURRENCY);
    // A quarter of the idle time when that is shorter: a restart must not cut much off it.
    const stopMs = deps.policy.stopMs;
    this.writeMs = stopMs > 0 ? Math.min(ACTIVE_WRITE_MS, Math.floor(stopMs / 4)) : ACTIVE_WRITE_MS;
  }

  record(student: EnvOwner): void {
    try {
      this.touch(student, this.now());
      const key = keyOf(student);
      const w = this.warned.get(key);
      if (w !== undefined) {
        this.warned.delete(key);
        this.deps.envs.notify(w.owner, { type: 'idle-cleared' });
      }
    } catch (err) {
      this.deps.log.debug({ err, envId: student.envId }, 'could not record activity');
    }
  }

  /**
   * Starts the periodic passes and follows the environments' phase changes (a start counts as
   * activity and clears the stop time; a stop sets it). Disposing ends both.
   */
  start(): Disposable {
    const phases = this.deps.envs.onPhase((owner, phase) => this.onPhase(owner, phase));
    const { policy } = this.deps;
    const every = this.deps.intervalMs ?? passInterval(policy);
    let timer: NodeJS.Timeout | undefined;
    if (every > 0 && (policy.stopMs > 0 || policy.expireMs > 0)) {
      timer = setInterval(() => void this.sweep(), every);
      timer.unref();
    }
    return {
      dispose: () => {
        phases.dispose();
        if (timer !== undefined) clearInterval(timer);
      },
    };
  }

  /**
   * One pass over every environment (a pass under way is joined, not doubled). Never rejects:
   * an engine that cannot be listed, or an environment that cannot be stopped, is logged and
   * tried again next pass.
   */
  sweep(): Promise<CullReport> {
    this.pass ??= this.runPass()
      .catch((err: unknown) => {
        this.deps.log.warn({ err }, 'idle pass failed');
        return { warned: [], stopped: [], expired: [] };
      })
      .finally(() => (this.pass = undefined));
    return this.pass;
  }

  private async runPass(): Promise<CullReport> {
    const report: CullReport = { warned: [], stopped: [], expired: [] };
    let list;
    try {
      list = await this.deps.environments.list();
    } catch (err) {
      this.deps.log.warn({ err }, 'idle pass: could not list the environments');
      return report;
    }
    const now = this.now();
    const tasks: (() => Promise<void>)[] = [];
    const running = new Set<string>();
    for (const info of list) {
      try {
        const user = this.deps.store.userByEnvId(info.id);
        if (user === undefined) continue;
        const owner: EnvOwner = { name: user.name, envId: info.id };
        if (info.state === 'running') {
          running.add(keyOf(owner));
          const task = this.checkRunning(owner, now, report);
          if (task) tasks.push(task);
        } else if (info.state === 'stopped') {
          const task = this.checkStopped(owner, now, report);
          if (task) tasks.push(task);
        }
      } catch (err) {
        this.deps.log.warn({ err, envId: info.id }, 'idle pass: could not check an environment');
      }
    }
    // Stopped or removed by someone else meanwhile: no stop to warn of any more.
    for (const [key, w] of this.warned) {
      if (running.has(key)) continue;
      this.warned.delete(key);
      this.deps.envs.notify(w.owner, { type: 'idle-cleared' });
    }
    await limited(tasks, this.concurrency);
    return report;
  }

  /** Warns, refreshes the warning, or returns the stop of a running environment when it is due. */
  private checkRunning(owner: EnvOwner, now: number, report: CullReport): (() => Promise<void>) | undefined {
    const { store } = this.deps;
    const times = store.envTimes(owner.envId);
    if (times?.stoppedMs != null) {
      // Stopped in the store, running on the engine: started outside the web app (kafkalab env
      // start). That is a fresh start: a whole idle period from now.
      store.setEnvStoppedMs(owner.envId, null);
      this.touch(owner, now, true);
    }
    const { stopMs, warnMs } = this.deps.policy;
    if (stopMs === 0) return undefined;
    const key = keyOf(owner);
    const last = this.lastActive(owner, times?.activeMs ?? null, now);
    if (now - last < stopMs - warnMs) {
      // Activity noted without a word to the page (a start from a shell): say so now.
      if (this.warned.delete(key)) this.deps.envs.notify(owner, { type: 'idle-cleared' });
      return undefined;
    }
    let warning = this.warned.get(key);
    if (warning === undefined && warnMs > 0) {
      warning = { owner, at: now };
      this.warned.set(key, warning);
      this.deps.log.info({ envId: owner.envId, owner: owner.name }, 'idle: warned of the stop');
      report.warned.push(owner.envId);
    }
    const stopAt = Math.max(last + stopMs, warning === undefined ? 0 : warning.at + warnMs);
    if (now < stopAt) {
      this.deps.envs.notify(owner, {
        type: 'idle-warning',
        stopsInSeconds: Math.ceil((stopAt - now) / 1000),
      });
      return undefined;
    }
    return () => this.stop(owner, report);
  }

  /** Stops an idle environment unless there was activity while earlier stops ran. */
  private async stop(owner: EnvOwner, report: CullReport): Promise<void> {
    const { envs, store, log, policy } = this.deps;
    const now = this.now();
    const key = keyOf(owner);
    const last = this.active.get(key) ?? now;
    const warning = this.warned.get(key);
    if (now < Math.max(last + policy.stopMs, warning === undefined ? 0 : warning.at + policy.warnMs)) return;
    if (policy.warnMs > 0 && warning === undefined) return; // cleared since the pass began
    try {
      await envs.stop(owner);
      store.setEnvStoppedMs(owner.envId, this.now());
      this.warned.delete(key);
      await envs.setNotice(owner, 'idle_stopped');
      report.stopped.push(owner.envId);
      log.info(
        { envId: owner.envId, owner: owner.name, idleSeconds: Math.round((now - last) / 1000) },
        'idle: environment stopped',
      );
    } catch (err) {
      log.warn({ err, envId: owner.envId, owner: owner.name }, 'idle: could not stop the environment');
    }
  }

  /** Notes when a stopped environment was stopped; returns its removal when it has expired. */
  private checkStopped(owner: EnvOwner, now: number, report: CullReport): (() => Promise<void>) | undefined {
    const { store, policy } = this.deps;
    let stoppedMs = store.envTimes(owner.envId)?.stoppedMs ?? null;
    if (stoppedMs === null) {
      // Stopped without us (an instructor, kafkalab env stop, docker stop): its expiry counts from now.
      stoppedMs = now;
      store.setEnvStoppedMs(owner.envId, now);
    }
    if (policy.expireMs === 0 || now - stoppedMs < policy.expireMs) return undefined;
    const since = stoppedMs;
    return () => this.expire(owner, since, report);
  }

  /** Removes an environment stopped since `since`, unless it was started meanwhile. */
  private async expire(owner: EnvOwner, since: number, report: CullReport): Promise<void> {
    const { envs, store, log } = this.deps;
    try {
      if (store.envTimes(owner.envId)?.stoppedMs !== since) return;
      // Started since the pass listed it: the store check above sees starts made through the
      // web app, this one starts from a shell.
      if ((await envs.status(owner)).phase !== 'stopped') return;
      await envs.reset(owner);
      store.setEnvStoppedMs(owner.envId, null);
      await envs.setNotice(owner, 'expired');
      this.active.delete(keyOf(owner));
      report.expired.push(owner.envId);
      log.info(
        { envId: owner.envId, owner: owner.name, stoppedSeconds: Math.round((this.now() - since) / 1000) },
        'idle: stopped environment expired and was removed',
      );
    } catch (err) {
      log.warn(
        { err, envId: owner.envId, owner: owner.name },
        'idle: could not remove an expired environment',
      );
    }
  }

  /** Phase changes made through the web app: starts are activity, stops are timed. */
  private onPhase(owner: EnvOwner, phase: EnvStatus['phase']): void {
    const { store } = this.deps;
    try {
      if (phase === 'queued' || phase === 'booting' || phase === 'running') {
        // A whole idle period from the moment the servers come up, however long the line was.
        this.touch(owner, this.now(), true);
        if (store.envTimes(owner.envId)?.stoppedMs != null) store.setEnvStoppedMs(owner.envId, null);
      } else if (phase === 'stopped') {
        this.warned.delete(keyOf(owner));
        if (store.envTimes(owner.envId)?.stoppedMs == null) store.setEnvStoppedMs(owner.envId, this.now());
      } else if (phase === 'none') {
        this.warned.delete(keyOf(owner));
        store.setEnvStoppedMs(owner.envId, null);
      }
    } catch (err) {
      this.deps.log.debug({ err, envId: owner.envId }, 'idle: could not note a phase change');
    }
  }

  /**
   * The last activity: what this process saw, else what the store kept (a restart), else now (an
   * environment never seen used gets a whole idle period from the first time it is seen).
   */
  private lastActive(owner: EnvOwner, stored: number | null, now: number): number {
    const key = keyOf(owner);
    const known = this.active.get(key);
    if (known !== undefined) return known;
    if (stored !== null) {
      this.active.set(key, stored);
      this.written.set(key, stored);
      return stored;
    }
    this.touch(owner, now, true);
    return now;
  }

  /** Notes activity; writes it to the store at most every `writeMs` (or now, when `persist`). */
  private touch(owner: EnvOwner, now: number, persist = false): void {
    const key = keyOf(owner);
    this.active.set(key, now);
    const written = this.written.get(key);
    if (!persist && written !== undefined && now - written < this.writeMs) return;
    this.written.set(key, now);
    this.deps.store.setEnvActiveMs(owner.name, owner.envId, now);
  }
}

/** The key of an owner's entries: name and environment id together. */
function keyOf(owner: EnvOwner): string {
  return `${owner.name}\0${owner.envId}`;
}

/** Runs the tasks, at most `limit` at a time; resolves when all have ended. */
async function limited(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++];
      if (task) await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
