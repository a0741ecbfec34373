import { clusterAgentOn } from '../cluster/ClusterAgent.ts';
import { AppError, isAppError, messageOf } from '../errors.ts';
import type { BootEvent, EnvMessage, EnvStatus } from '../http/apiTypes.ts';
import type { Logger } from '../log.ts';
import type { ProgressEvent } from '../progress.ts';
import {
  bindNodes,
  NODES,
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

/** Whose environment: a student as the store has them (name and environment id). */
export interface EnvOwner {
  readonly name: string;
  readonly envId: string;
}

/** What the manager knows about one student's environment beyond what Docker says. */
interface Tracked {
  readonly ref: EnvRef;
  boot?: { mode: EnvMode; started: number; events: BootEvent[]; error: EnvStatus['error']; done: boolean };
  readonly listeners: Set<(m: EnvMessage) => void>;
  poller?: NodeJS.Timeout;
  polling?: boolean;
}

/**
 * Student environments as the web app needs them: start-or-resume in a lab's mode in the
 * background, boot progress and status pushed to subscribers, and the live cluster picture
 * polled (through the agent) only while somebody watches. Docker stays the source of truth for
 * whether an environment exists and runs; this keeps boot events and errors.
 */
export class EnvManager {
  private readonly tracked = new Map<string, Tracked>();
  /** Hear every environment's phase changes (instructors' live grids). */
  private readonly phaseListeners = new Set<(owner: EnvOwner, phase: EnvStatus['phase']) => void>();
  /** The last phase told to phaseListeners, by environment id (only changes are told). */
  private readonly toldPhase = new Map<string, EnvStatus['phase']>();

  constructor(
    private readonly backend: EnvironmentBackend,
    private readonly access: NodeAccess,
    private readonly log: Logger,
    private readonly onRemoved: (envId: string) => void = () => undefined,
  ) {}

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
      if (t.boot && !t.boot.done) out.set(t.ref.id, 'booting');
      else if (t.boot?.error) out.set(t.ref.id, 'failed');
    }
    return out;
  }

  /** The student's environment as the browser sees it. */
  async status(student: EnvOwner): Promise<EnvStatus> {
    const t = this.track(student);
    const boot = t.boot;
    if (boot && !boot.done)
      return { phase: 'booting', mode: boot.mode, events: boot.events, error: null, nodes: [...NODES] };
    const info = await this.backend.status(t.ref);
    const events = boot?.events ?? [];
    if (boot?.error) return { phase: 'failed', mode: boot.mode, events, error: boot.error, nodes: [] };
    if (!info) return { phase: 'none', mode: null, events: [], error: null, nodes: [] };
    const phase = info.state === 'creating' ? 'booting' : info.state;
    return { phase, mode: info.mode, events, error: null, nodes: info.nodes.map((n) => n.name) };
  }

  /**
   * Starts (or resumes) the student's environment in `mode` and returns at once; progress goes
   * to subscribers. An environment of the other mode is replaced only with `reset`.
   */
  async start(student: EnvOwner, mode: EnvMode, reset: boolean): Promise<EnvStatus> {
    const t = this.track(student);
    if (t.boot && !t.boot.done) return this.status(student);
    const info = await this.backend.status(t.ref);
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

    const boot: NonNullable<Tracked['boot']> = {
      mode,
      started: Date.now(),
      events: [],
      error: null,
      done: false,
    };
    t.boot = boot;
    const progress = (e: ProgressEvent): void => {
      boot.events.push({ ...e, at: Date.now() - boot.started });
      void this.publishStatus(student);
    };
    void (async () => {
      try {
        if (info && (reset || info.mode !== mode || info.state === 'broken')) {
          progress({ phase: 'reset', message: 'removing the old environment' });
          await this.remove(t.ref);
        }
        await this.backend.create({ ...t.ref, mode }, progress);
      } catch (err) {
        const e = isAppError(err) ? err : new AppError(500, 'env_failed', messageOf(err), { cause: err });
        this.log.warn({ envId: t.ref.id, err: e }, 'environment boot failed');
        boot.error = {
          error: e.reason,
          message: e.message,
          ...(e.details === undefined ? {} : { details: e.details }),
        };
      } finally {
        boot.done = true;
        await this.publishStatus(student);
        this.ensurePolling(t);
      }
    })();
    return this.status(student);
  }

  /** Removes the student's environment (reset); their next start creates a fresh one. */
  async reset(student: EnvOwner): Promise<EnvStatus> {
    const t = this.track(student);
    if (t.boot && !t.boot.done)
      throw new AppError(409, 'env_booting', 'The environment is still starting; reset it when it is up');
    t.boot = undefined;
    await this.remove(t.ref);
    await this.publishStatus(student);
    return this.status(student);
  }

  /**
   * Stops the student's environment (files kept, memory freed; their next start resumes it) and
   * closes its shells. Nothing to stop is not an error.
   */
  async stop(student: EnvOwner): Promise<EnvStatus> {
    const t = this.track(student);
    if (t.boot && !t.boot.done)
      throw new AppError(409, 'env_booting', 'The environment is still starting; stop it when it is up');
    const info = await this.backend.status(t.ref);
    if (info !== undefined && info.state !== 'stopped') {
      await this.backend.stop(t.ref);
      this.onRemoved(t.ref.id);
    }
    await this.publishStatus(student);
    return this.status(student);
  }

  /** Receives status changes and cluster snapshots until disposed; sends the current status at once. */
  subscribe(student: EnvOwner, listener: (m: EnvMessage) => void): Disposable {
    const t = this.track(student);
    t.listeners.add(listener);
    void this.status(student).then((status) => listener({ type: 'status', status }));
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
    const key = `${student.name}\0${student.envId}`;
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

  private async publishStatus(student: EnvOwner): Promise<void> {
    const t = this.track(student);
    if (t.listeners.size === 0 && this.phaseListeners.size === 0) return;
    const status = await this.status(student);
    for (const l of t.listeners) l({ type: 'status', status });
    if (this.toldPhase.get(t.ref.id) !== status.phase) {
      this.toldPhase.set(t.ref.id, status.phase);
      for (const l of this.phaseListeners) {
        try {
          l(student, status.phase);
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
        const info = await this.backend.status(t.ref);
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
