import { clusterAgentOn } from '../cluster/ClusterAgent.ts';
import { AppError, isAppError, messageOf } from '../errors.ts';
import type { BootEvent, CapacityView, EnvMessage, EnvStatus } from '../http/apiTypes.ts';
import type { Logger } from '../log.ts';
import type { ProgressEvent } from '../progress.ts';
import type { EnvNoticeReason, StudentStore } from '../store/Store.ts';
import { unlimitedAdmission, type Admission } from './Admission.ts';
import type { WarmPool } from './WarmPool.ts';
import {
  bindNodes,
  NODES,
  POOL_OWNER,
  type EnvironmentBackend,
  type EnvMode,
  type EnvNodes,
  type EnvRef,
  type NodeAccess,
} from './EnvironmentBackend.ts';

/** Something that can be undone (an event subscription). */
export interface Disposable {
  dispose(): void;
}

/** How often the cluster picture is refreshed while someone watches it. */
const SNAPSHOT_INTERVAL_MS = 3000;
/**
 * How often, while students wait in line, admission's count is checked against what the engine
 * runs: an environment stopped or removed from a shell frees its place within this time.
 */
const RESYNC_INTERVAL_MS = 10_000;

/** What the manager is given besides the engine (all optional: tests and the dev server use few). */
export interface EnvManagerOptions {
  /** Told when an environment was stopped or removed (its shells are hung up). */
  readonly onRemoved?: (envId: string) => void;
  /** Who may boot now; without it every start boots at once. */
  readonly admission?: Admission;
  /** Where notices (idle stop, expiry, gone) are kept for the student's next visit. */
  readonly notices?: Pick<StudentStore, 'envNotice' | 'setEnvNotice'>;
  /** A warm pool to take a ready environment from, instead of booting one, when there is none. */
  readonly claims?: PoolClaims;
}

/** How a student takes an environment from the warm pool. */
export interface PoolClaims {
  readonly pool: Pick<WarmPool, 'take' | 'giveBack' | 'size'>;
  /**
   * Moves the student's environment id to `to` in the store (whose it is comes from there), if
   * their row still has `from`; whether it did.
   */
  move(owner: string, from: string, to: string): boolean;
}

/** What each notice tells the student. */
const NOTICES: Record<EnvNoticeReason, string> = {
  idle_stopped:
    'Your environment was stopped because nobody used it for a while. Your files are kept; start it to continue.',
  expired:
    'Your environment was removed after it had been stopped for a long time. Your progress is kept; starting makes a fresh one.',
  missing:
    'Your environment was no longer there (removed outside Kafka Lab). Your progress is kept; starting makes a fresh one.',
};

/** Whose environment: a student as the store has them (name and environment id). */
export interface EnvOwner {
  readonly name: string;
  readonly envId: string;
}

/** A boot that ended (metrics): how long it took, whether it resumed a stopped environment. */
export interface BootEnded {
  readonly mode: EnvMode;
  /** A stopped environment started again, rather than one created (or replaced). */
  readonly resumed: boolean;
  readonly ok: boolean;
  readonly seconds: number;
  /** Taken ready from the warm pool rather than booted. */
  readonly claimed?: boolean;
}

/** What the manager knows about one student's environment beyond what Docker says. */
interface Tracked {
  /** Changes once when the student takes a warm-pool environment (its id becomes theirs). */
  ref: EnvRef;
  /** The current or last start: waiting in line (`queued`), booting, or done. */
  boot?: {
    mode: EnvMode;
    /** When it was asked for, then when it was admitted (events' `at` counts from there). */
    started: number;
    events: BootEvent[];
    error: EnvStatus['error'];
    queued: boolean;
    done: boolean;
  };
  readonly listeners: Set<(m: EnvMessage) => void>;
  poller?: NodeJS.Timeout;
  polling?: boolean;
  /** The engine did not answer the last poll (the page was told `unavailable`). */
  engineDown?: boolean;
}

/**
 * Student environments as the web app needs them: start-or-resume in a lab's mode in the
 * background, boot progress and status pushed to subscribers, and the live cluster picture
 * polled (through the agent) only while somebody watches. Docker stays the source of truth for
 * whether an environment exists and runs; this keeps boot events and errors. Every boot (a
 * creation or a resume) waits for `admission` first: a full host puts students in line, their
 * place pushed to them as it changes, instead of refusing them.
 */
export class EnvManager {
  private readonly tracked = new Map<string, Tracked>();
  /** Hear every environment's phase changes (instructors' live grids). */
  private readonly phaseListeners = new Set<(owner: EnvOwner, phase: EnvStatus['phase']) => void>();
  /** The last phase told to phaseListeners, by environment id (only changes are told). */
  private readonly toldPhase = new Map<string, EnvStatus['phase']>();
  /** Hear every boot's end (metrics). */
  private readonly bootListeners = new Set<(boot: BootEnded) => void>();

  private readonly lineWatch: Disposable;
  private resyncTimer: NodeJS.Timeout | undefined;
  private resyncing = false;
  private readonly onRemoved: (envId: string) => void;
  private readonly admission: Admission;

  constructor(
    private readonly backend: EnvironmentBackend,
    private readonly access: NodeAccess,
    private readonly log: Logger,
    private readonly options: EnvManagerOptions = {},
  ) {
    this.onRemoved = options.onRemoved ?? (() => undefined);
    const admission = options.admission ?? unlimitedAdmission();
    this.admission = admission;
    this.lineWatch = admission.onChange((moved) => {
      for (const id of moved) {
        for (const t of this.tracked.values()) {
          if (t.ref.id === id && t.boot && !t.boot.done)
            void this.publishStatus({ name: t.ref.owner, envId: t.ref.id });
        }
      }
      this.watchLine();
    });
  }

  /** How full the host is and who waits in line (the admins' capacity view). */
  capacity(): CapacityView {
    const line: CapacityView['line'] = [];
    for (const t of this.tracked.values()) {
      const place = t.boot && !t.boot.done && t.boot.queued ? this.admission.place(t.ref.id) : undefined;
      if (place !== undefined) line.push({ name: t.ref.owner, ...place });
    }
    line.sort((a, b) => a.position - b.position);
    const pool = this.options.claims?.pool.size() ?? { ready: 0, install: 0 };
    return { ...this.admission.stats(), pool, line };
  }

  /**
   * Counts the environments the engine runs now (adopted at start) against the capacity, so a
   * restarted server admits no more than fit. Returns how many there are.
   */
  async countRunning(): Promise<number> {
    const active = await this.activeIds();
    this.admission.hold(active);
    return active.length;
  }

  /**
   * The student's servers, bound to their environment (and checked against its owner at every
   * call): what routes, checks and terminals use instead of an id.
   */
  nodes(student: EnvOwner): EnvNodes {
    return bindNodes(this.access, this.track(student).ref);
  }

  /** Every environment's state by environment id, in one engine call (the class roster). */
  async phases(): Promise<Map<string, EnvStatus['phase']>> {
    const list = await this.backend.list();
    const out = new Map<string, EnvStatus['phase']>();
    for (const info of list) out.set(info.id, info.state === 'creating' ? 'booting' : info.state);
    for (const t of this.tracked.values()) {
      if (t.boot && !t.boot.done) out.set(t.ref.id, t.boot.queued ? 'queued' : 'booting');
      else if (t.boot?.error) out.set(t.ref.id, 'failed');
    }
    return out;
  }

  /** The student's environment as the browser sees it. */
  async status(student: EnvOwner): Promise<EnvStatus> {
    const t = this.track(student);
    const boot = t.boot;
    if (boot && !boot.done) {
      const place = boot.queued ? this.admission.place(t.ref.id) : undefined;
      if (place)
        return {
          phase: 'queued',
          mode: boot.mode,
          events: boot.events,
          error: null,
          nodes: [],
          queue: place,
        };
      return { phase: 'booting', mode: boot.mode, events: boot.events, error: null, nodes: [...NODES] };
    }
    const events = boot?.events ?? [];
    let info;
    try {
      info = await this.backend.status(t.ref);
    } catch (err) {
      const down = engineDown(err);
      if (down === undefined) throw err;
      return { phase: 'unavailable', mode: null, events, error: apiErrorOf(down), nodes: [] };
    }
    if (boot?.error) return { phase: 'failed', mode: boot.mode, events, error: boot.error, nodes: [] };
    const notice = this.noticeOf(t.ref.id);
    if (!info) return { phase: 'none', mode: null, events: [], error: null, nodes: [], ...notice };
    const phase = info.state === 'creating' ? 'booting' : info.state;
    return { phase, mode: info.mode, events, error: null, nodes: info.nodes.map((n) => n.name), ...notice };
  }

  /** The student's notice as the status carries it (nothing when there is none). */
  private noticeOf(envId: string): Pick<EnvStatus, 'notice'> {
    const reason = this.options.notices?.envNotice(envId) ?? null;
    return reason === null ? {} : { notice: { reason, message: NOTICES[reason] } };
  }

  /**
   * Keeps why the student's environment changed while they were away (shown until they start it
   * again) and pushes the new status to them.
   */
  async setNotice(student: EnvOwner, reason: EnvNoticeReason): Promise<void> {
    this.options.notices?.setEnvNotice(student.envId, reason);
    await this.publishStatus(student);
  }

  /** Sends a message to the student's open pages (/ws/env), if any. */
  notify(student: EnvOwner, message: EnvMessage): void {
    for (const l of this.track(student).listeners) l(message);
  }

  /**
   * Starts (or resumes) the student's environment in `mode` and returns at once: `queued` with
   * the place in line when the host is full, else `booting`; progress goes to subscribers. An
   * environment of the other mode is replaced only with `reset`.
   */
  async start(student: EnvOwner, mode: EnvMode, reset: boolean): Promise<EnvStatus> {
    const t = this.track(student);
    if (t.boot && !t.boot.done) return this.status(student);
    this.refuseSharedId(t);
    const info = await engineCall(this.backend.status(t.ref));
    // Another request may have started a boot while we asked Docker: join it.
    if (t.boot && !t.boot.done) return this.status(student);
    if (info && info.mode !== mode && !reset) {
      throw new AppError(
        409,
        'mode_mismatch',
        `This lab needs an environment in ${mode} mode; yours is in ${info.mode} mode`,
        {
          details: 'Reset the environment to continue. The files on your servers will be lost.',
        },
      );
    }
    if (info?.state === 'running' && info.mode === mode && !reset) return this.status(student);

    // Starting again is the answer to any notice (idle stop, expiry): it has been seen.
    this.options.notices?.setEnvNotice(t.ref.id, null);
    const boot: NonNullable<Tracked['boot']> = {
      mode,
      started: Date.now(),
      events: [],
      error: null,
      queued: true,
      done: false,
    };
    t.boot = boot;
    // Nothing to keep: a ready environment from the warm pool, if there is one, in about a second.
    if (info === undefined && (await this.claimFromPool(t, boot))) {
      this.tellBootEnded(boot, false);
      return this.status(student);
    }
    const admitted = this.admission.request(t.ref.id);
    // Admitted at once: boot now, in this same step (the answer then shows the first phases).
    boot.queued = this.admission.place(t.ref.id) !== undefined;
    if (boot.queued) {
      this.log.info({ envId: t.ref.id, place: this.admission.place(t.ref.id) }, 'environment queued');
      void this.resync();
    }
    const replace = info !== undefined && (reset || info.mode !== mode || info.state === 'broken');
    // The engine's create resumes a stopped environment; metrics time that apart from boots.
    const resumed = !replace && info?.state === 'stopped';
    void this.boot(student, t, boot, replace, admitted).then(() => this.tellBootEnded(boot, resumed));
    return this.status(student);
  }

  /**
   * The background half of `start`: removes what is replaced (at once, so its memory is free
   * while waiting), waits for admission, creates or resumes, and gives the boot slot back.
   */
  private async boot(
    student: EnvOwner,
    t: Tracked,
    boot: NonNullable<Tracked['boot']>,
    replace: boolean,
    admitted: Promise<boolean>,
  ): Promise<void> {
    const progress = (e: ProgressEvent): void => {
      boot.events.push({ ...e, at: Date.now() - boot.started });
      void this.publishStatus(student);
    };
    try {
      if (replace) {
        progress({ phase: 'reset', message: 'removing the old environment' });
        await this.remove(t.ref);
        const old = t.ref.id;
        if (await this.claimFromPool(t, boot)) {
          // The pooled environment holds its own place: the one kept for the old id is free.
          this.admission.release(old);
          return;
        }
      }
      if (boot.queued) {
        if (!(await admitted)) {
          // Taken out of the line: a reset or a stop (which told the student and dropped this
          // boot), or a release of the id from elsewhere, which ends this start without a boot.
          if (t.boot === boot) {
            t.boot = undefined;
            await this.publishStatus(student);
          }
          return;
        }
        boot.queued = false;
        boot.started = Date.now();
        void this.publishStatus(student);
      }
      await this.backend.create({ ...t.ref, mode: boot.mode }, progress);
      this.admission.bootEnded(t.ref.id);
    } catch (err) {
      // A start given up while in line holds nothing; the id may be in line again by now.
      if (t.boot !== boot) return;
      this.admission.bootFailed(t.ref.id);
      const e =
        engineDown(err) ??
        (isAppError(err) ? err : new AppError(500, 'env_failed', messageOf(err), { cause: err }));
      this.log.warn({ envId: t.ref.id, err: e }, 'environment boot failed');
      boot.error = apiErrorOf(e);
    }
    boot.done = true;
    await this.publishStatus(student);
    this.ensurePolling(t);
  }

  /**
   * Hands the student a ready warm-pool environment of the boot's mode, if there is one: checks it
   * still runs, moves the student's environment id to it in the store, and finishes the boot.
   * Whether it did; without one (or when the student's row changed meanwhile) nothing changed.
   */
  private async claimFromPool(t: Tracked, boot: NonNullable<Tracked['boot']>): Promise<boolean> {
    const claims = this.options.claims;
    for (
      let id = claims?.pool.take(boot.mode);
      claims && id !== undefined;
      id = claims.pool.take(boot.mode)
    ) {
      const member = { id, owner: POOL_OWNER };
      const info = await this.backend.status(member).catch(() => undefined);
      if (info?.state !== 'running') {
        // Stopped or removed from outside since it was booted: not for anyone.
        this.log.warn(
          { envId: id, state: info?.state },
          'a warm-pool environment was not running; removing it',
        );
        void this.backend
          .remove(member)
          .catch((err: unknown) => this.log.debug({ err, envId: id }, 'could not remove it'))
          .finally(() => this.admission.release(id));
        continue;
      }
      const from = t.ref;
      if (!claims.move(from.owner, from.id, id)) {
        claims.pool.giveBack(id, boot.mode);
        return false;
      }
      t.ref = { id, owner: from.owner };
      // Callers that read the store before the move still find this student's entry.
      this.tracked.set(trackKey(t.ref), t);
      boot.events.push({
        phase: 'pool',
        message: 'a ready environment from the warm pool is yours',
        at: Date.now() - boot.started,
      });
      boot.queued = false;
      boot.done = true;
      this.log.info({ envId: id, previous: from.id }, 'environment taken from the warm pool');
      void this.publishStatus({ name: from.owner, envId: id });
      this.ensurePolling(t);
      return true;
    }
    return false;
  }

  /**
   * Removes the student's environment (reset); their next start creates a fresh one. While they
   * wait in line, this takes them out of it.
   */
  async reset(student: EnvOwner): Promise<EnvStatus> {
    const t = this.track(student);
    this.refuseSharedId(t);
    this.leaveLine(t, 'reset');
    t.boot = undefined;
    await engineCall(this.remove(t.ref));
    this.admission.release(t.ref.id);
    await this.publishStatus(student);
    return this.status(student);
  }

  /**
   * Stops the student's environment (files kept, memory freed; their next start resumes it) and
   * closes its shells. Nothing to stop is not an error; while waiting in line, this leaves it.
   */
  async stop(student: EnvOwner): Promise<EnvStatus> {
    const t = this.track(student);
    this.refuseSharedId(t);
    this.leaveLine(t, 'stop');
    if (t.boot && !t.boot.done) t.boot = undefined;
    const info = await engineCall(this.backend.status(t.ref));
    if (info !== undefined && info.state !== 'stopped') {
      await engineCall(this.backend.stop(t.ref));
      this.onRemoved(t.ref.id);
    }
    this.admission.release(t.ref.id);
    await this.publishStatus(student);
    return this.status(student);
  }

  /** Receives status changes and cluster snapshots until disposed; sends the current status at once. */
  subscribe(student: EnvOwner, listener: (m: EnvMessage) => void): Disposable {
    const t = this.track(student);
    t.listeners.add(listener);
    this.status(student).then(
      (status) => listener({ type: 'status', status }),
      (err: unknown) => this.log.debug({ err, envId: t.ref.id }, 'no status for a new subscriber'),
    );
    this.ensurePolling(t);
    return {
      dispose: () => {
        t.listeners.delete(listener);
        if (t.listeners.size === 0 && t.poller) {
          clearInterval(t.poller);
          t.poller = undefined;
        }
      },
    };
  }

  /** Stops polling everywhere (server shutdown). */
  dispose(): void {
    for (const t of this.tracked.values()) {
      if (t.poller) clearInterval(t.poller);
      t.listeners.clear();
    }
    this.lineWatch.dispose();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
  }

  /**
   * A start under way may be given up only while it waits in line: a boot that runs is not
   * interrupted (409). Nothing under way is fine.
   */
  private leaveLine(t: Tracked, action: 'reset' | 'stop'): void {
    if (!t.boot || t.boot.done) return;
    if (t.boot.queued && this.admission.leave(t.ref.id)) {
      this.log.info({ envId: t.ref.id }, `left the line (${action})`);
      return;
    }
    throw new AppError(409, 'env_booting', `The environment is still starting; ${action} it when it is up`);
  }

  /**
   * Two students under one environment id (what a name collision once gave): the second may not
   * join or wait for the first's boot, which the engine's owner check cannot see before it exists.
   */
  private refuseSharedId(t: Tracked): void {
    for (const other of this.tracked.values()) {
      if (other !== t && other.ref.id === t.ref.id && other.boot && !other.boot.done)
        throw new AppError(403, 'not_your_environment', `Environment ${t.ref.id} belongs to someone else`);
    }
  }

  /** Ids of the environments that take memory now: everything the engine lists but stopped ones. */
  private async activeIds(): Promise<string[]> {
    return (await this.backend.list()).filter((e) => e.state !== 'stopped').map((e) => e.id);
  }

  /** Corrects admission's count from the engine (see RESYNC_INTERVAL_MS); one at a time. */
  private async resync(): Promise<void> {
    if (this.resyncing) return;
    this.resyncing = true;
    try {
      const mark = this.admission.mark();
      this.admission.sync(await this.activeIds(), mark);
    } catch (err) {
      this.log.debug({ err }, 'could not count the running environments');
    } finally {
      this.resyncing = false;
    }
  }

  /** Resyncs periodically exactly while somebody waits in line. */
  private watchLine(): void {
    const waiting = this.admission.stats().queued > 0;
    if (waiting && !this.resyncTimer) {
      this.resyncTimer = setInterval(() => void this.resync(), RESYNC_INTERVAL_MS);
      this.resyncTimer.unref();
    } else if (!waiting && this.resyncTimer) {
      clearInterval(this.resyncTimer);
      this.resyncTimer = undefined;
    }
  }

  private async remove(ref: EnvRef): Promise<void> {
    // The backend checks the owner first: shells are hung up only once the removal was allowed
    // (an id handed to the wrong owner must not close the real owner's shells).
    await this.backend.remove(ref);
    this.onRemoved(ref.id);
  }

  /**
   * Keyed by owner and environment id together: the owner comes along for every backend call, so
   * a caller holding someone else's id gets a ref the backend refuses, never the other's state.
   */
  private track(student: EnvOwner): Tracked {
    const key = trackKey({ owner: student.name, id: student.envId });
    let t = this.tracked.get(key);
    if (!t) {
      t = { ref: { id: student.envId, owner: student.name }, listeners: new Set() };
      this.tracked.set(key, t);
    }
    return t;
  }

  /** Hears every change of an environment's phase (booting, running, stopped, ...), any owner's. */
  onPhase(listener: (owner: EnvOwner, phase: EnvStatus['phase']) => void): Disposable {
    this.phaseListeners.add(listener);
    return { dispose: () => void this.phaseListeners.delete(listener) };
  }

  /** Hears the end of every boot and resume, any owner's. */
  onBootEnded(listener: (boot: BootEnded) => void): Disposable {
    this.bootListeners.add(listener);
    return { dispose: () => void this.bootListeners.delete(listener) };
  }

  /** Tells bootListeners a boot ended (not one that left the line); `started` is its admission. */
  private tellBootEnded(boot: NonNullable<Tracked['boot']>, resumed: boolean): void {
    if (!boot.done) return;
    const ended: BootEnded = {
      mode: boot.mode,
      resumed,
      ok: boot.error === null,
      seconds: (Date.now() - boot.started) / 1000,
      ...(boot.events.some((e) => e.phase === 'pool') ? { claimed: true } : {}),
    };
    for (const l of this.bootListeners) {
      try {
        l(ended);
      } catch (err) {
        this.log.debug({ err }, 'boot listener failed');
      }
    }
  }

  /** Tells the student's subscribers and the phase listeners; never rejects (an engine error is logged). */
  private async publishStatus(student: EnvOwner): Promise<void> {
    const t = this.track(student);
    if (t.listeners.size === 0 && this.phaseListeners.size === 0) return;
    let status: EnvStatus;
    try {
      status = await this.status(student);
    } catch (err) {
      this.log.debug({ err, envId: t.ref.id }, 'could not read the environment status to push it');
      return;
    }
    for (const l of t.listeners) l({ type: 'status', status });
    if (this.toldPhase.get(t.ref.id) !== status.phase) {
      this.toldPhase.set(t.ref.id, status.phase);
      for (const l of this.phaseListeners) {
        try {
          // The ref, not the caller's view: a student who took a pooled environment has its id now.
          l({ name: t.ref.owner, envId: t.ref.id }, status.phase);
        } catch (err) {
          this.log.debug({ err }, 'phase listener failed');
        }
      }
    }
  }

  private ensurePolling(t: Tracked): void {
    if (t.poller || t.listeners.size === 0) return;
    const tick = async (): Promise<void> => {
      if (t.polling) return; // a slow snapshot must not pile up behind itself
      t.polling = true;
      try {
        let info;
        try {
          info = await this.backend.status(t.ref);
        } catch (err) {
          if (engineDown(err) === undefined) throw err;
          // Told once; polling goes on, so the page hears the engine come back.
          if (!t.engineDown) void this.publishStatus({ name: t.ref.owner, envId: t.ref.id });
          t.engineDown = true;
          return;
        }
        if (t.engineDown) {
          t.engineDown = false;
          void this.publishStatus({ name: t.ref.owner, envId: t.ref.id });
        }
        if (info?.state !== 'running') return;
        // Short: a slow cluster must not delay the next picture by much.
        const snapshot = await clusterAgentOn(bindNodes(this.access, t.ref)).snapshot({ timeoutMs: 4000 });
        for (const l of t.listeners) l({ type: 'snapshot', snapshot });
      } catch (err) {
        for (const l of t.listeners) l({ type: 'snapshot-error', message: messageOf(err) });
      } finally {
        t.polling = false;
      }
    };
    void tick();
    t.poller = setInterval(() => void tick(), SNAPSHOT_INTERVAL_MS);
  }
}

/** The tracked map's key: owner and environment id together. */
function trackKey(ref: EnvRef): string {
  return `${ref.owner}\0${ref.id}`;
}

/** Network-level failures of the engine's socket: the engine is not there, not a bad request. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/**
 * The `env_unavailable` error when `err` says the container engine does not answer (its socket
 * refuses or is gone, or it answers 502/503/504), else undefined.
 */
export function engineDown(err: unknown): AppError | undefined {
  if (isAppError(err) && err.reason === 'env_unavailable') return err;
  const cause = isAppError(err) ? err.cause : err;
  const code = (cause as { code?: unknown } | null)?.code;
  const status = (cause as { statusCode?: unknown } | null)?.statusCode;
  const unreachable =
    (typeof code === 'string' && UNREACHABLE.has(code)) ||
    (typeof status === 'number' && status >= 502 && status <= 504);
  if (!unreachable) return undefined;
  return new AppError(503, 'env_unavailable', 'Environment unavailable, retrying', {
    cause: err,
    details:
      'The container engine does not answer. Chapters and progress still work; your environment comes back when it does.',
  });
}

/** An error as the API carries it in a status. */
function apiErrorOf(e: AppError): NonNullable<EnvStatus['error']> {
  return { error: e.reason, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) };
}

/** An engine call whose connection failures become `env_unavailable` (a 503 with a clear message). */
async function engineCall<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw engineDown(err) ?? err;
  }
}
