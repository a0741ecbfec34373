import type { Config } from '../config.ts';
import { AppError, messageOf } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Admission } from './Admission.ts';
import { POOL_OWNER, type EnvironmentBackend, type EnvMode } from './EnvironmentBackend.ts';
import { newEnvId } from './naming.ts';

/** How many environments the pool keeps booted, per mode (0: none of that mode). */
export type PoolTargets = Readonly<Record<EnvMode, number>>;

/** What the pool is given (the clock-free parts are injectable so tests drive it). */
export interface WarmPoolOptions {
  readonly backend: EnvironmentBackend;
  /** The host's admission: the pool's boots wait behind every student's and count as places. */
  readonly admission: Admission;
  readonly log: Logger;
  readonly targets: PoolTargets;
  /** After a failed boot, how long before that mode is tried again (an engine outage, a bad image). */
  readonly retryMs?: number;
  readonly newId?: () => string;
}

/** One environment of the pool. */
interface Member {
  readonly mode: EnvMode;
  ready: boolean;
}

const MODES: readonly EnvMode[] = ['ready', 'install'];

/**
 * The pool's sizes for a host that admits `capacity` environments. `auto` keeps one ready-mode
 * environment from 3 places on (most labs run in ready mode) and one install-mode one from 6,
 * leaving most places to students' own environments. A pool larger than the capacity is a
 * `bad_config` naming the options (it could never be full, and would hold every place).
 */
export function planPool(config: Pick<Config, 'poolReady' | 'poolInstall'>, capacity: number): PoolTargets {
  const ready = config.poolReady === 'auto' ? (capacity >= 3 ? 1 : 0) : config.poolReady;
  const install = config.poolInstall === 'auto' ? (capacity >= 6 ? 1 : 0) : config.poolInstall;
  if (ready + install > capacity) {
    throw new AppError(400, 'bad_config', 'The warm pool is larger than the host holds', {
      details:
        `KAFKALAB_POOL_READY=${ready} plus KAFKALAB_POOL_INSTALL=${install} is more than the ${capacity} ` +
        'environments this host admits (KAFKALAB_MAX_ENVS, or the memory budget: KAFKALAB_HOST_RESERVE_MB ' +
        'and KAFKALAB_ENV_MEMORY_MB). Lower the pool sizes or raise the capacity.',
    });
  }
  return { ready, install };
}

/**
 * Environments booted ahead of time, per mode, so an arriving student gets one at once. Members
 * are created with the pool's owner and have never had another: a student takes one by moving
 * their environment id to it in the store (`take`, then the caller's move), after which the
 * backend names them as its owner. Refills ask admission in the background, behind every
 * student, and the pool gives a ready member up whenever a student waits for a place it holds.
 * Members nobody took do not survive a restart of the server: `start` removes them, so a member
 * is never one whose claim the store lost (a removed account's).
 */
export class WarmPool {
  private readonly members = new Map<string, Member>();
  private readonly retryAt = new Map<EnvMode, number>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly lineWatch: { dispose(): void };
  private disposed = false;
  /** A member is being given up: one at a time, since the line changes again while it goes. */
  private givingUp = false;
  private started = false;

  constructor(private readonly opts: WarmPoolOptions) {
    this.lineWatch = opts.admission.onChange(() => {
      if (opts.admission.starved()) void this.giveUpOne();
      else if (opts.admission.stats().queued === 0) this.fill();
    });
  }

  /**
   * Removes members a previous run left (never taken), then starts filling the pool: resolves
   * once the leftovers are gone, with the pool's boots under way in the background.
   */
  async start(): Promise<void> {
    const leftovers = (await this.opts.backend.list()).filter(
      (e) => e.pooled === true && e.owner === POOL_OWNER,
    );
    for (const env of leftovers) {
      this.opts.log.info({ envId: env.id }, 'removing a warm-pool environment of an earlier run');
      await this.opts.backend.remove({ id: env.id, owner: POOL_OWNER });
      this.opts.admission.release(env.id);
    }
    this.started = true;
    this.fill();
  }

  /**
   * A ready member of `mode` for a student, taken out of the pool (the caller moves the student's
   * environment id to it, or gives it back), or undefined when none is ready. Starts a refill.
   */
  take(mode: EnvMode): string | undefined {
    for (const [id, m] of this.members) {
      if (m.mode !== mode || !m.ready) continue;
      this.members.delete(id);
      this.opts.log.info({ envId: id, mode }, 'warm-pool environment taken');
      this.fill();
      return id;
    }
    return undefined;
  }

  /** Puts a member back that was taken but not handed over (the student's row had changed). */
  giveBack(id: string, mode: EnvMode): void {
    if (!this.disposed) this.members.set(id, { mode, ready: true });
  }

  /** Whether `id` is one of the pool's (booting or ready): the reaper leaves those alone. */
  holds(id: string): boolean {
    return this.members.has(id);
  }

  /** Ready members by mode (metrics, the capacity view). */
  size(): Record<EnvMode, number> {
    const out: Record<EnvMode, number> = { ready: 0, install: 0 };
    for (const m of this.members.values()) if (m.ready) out[m.mode]++;
    return out;
  }

  /** Stops refilling (server shutdown); members stay for the next run to remove. */
  dispose(): void {
    this.disposed = true;
    this.lineWatch.dispose();
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
  }

  /** Starts a boot for every place the targets leave open (a mode that just failed waits). */
  private fill(): void {
    if (this.disposed || !this.started) return;
    for (const mode of MODES) {
      if ((this.retryAt.get(mode) ?? 0) > Date.now()) continue;
      // Counted afresh each time: a boot's admission can call back into fill() at once.
      const count = (): number => [...this.members.values()].filter((m) => m.mode === mode).length;
      while (count() < this.opts.targets[mode]) void this.boot(mode);
    }
  }

  /** One member: waits behind every student for a place and a boot slot, then boots. */
  private async boot(mode: EnvMode): Promise<void> {
    const id = (this.opts.newId ?? newEnvId)();
    const { admission, backend, log } = this.opts;
    this.members.set(id, { mode, ready: false });
    if (!(await admission.request(id, { background: true }))) {
      this.members.delete(id);
      return;
    }
    try {
      await backend.create({ id, owner: POOL_OWNER, mode });
      admission.bootEnded(id);
      const m = this.members.get(id);
      if (m === undefined || this.disposed) return;
      m.ready = true;
      log.info({ envId: id, mode }, 'warm-pool environment ready');
    } catch (err) {
      this.members.delete(id);
      admission.bootFailed(id);
      // A boot that outlived the server's shutdown: the next start removes what it left.
      if (this.disposed) return;
      const retryMs = this.opts.retryMs ?? 30_000;
      log.warn({ envId: id, mode, err: messageOf(err), retryMs }, 'warm-pool boot failed');
      this.retryAt.set(mode, Date.now() + retryMs);
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        this.retryAt.delete(mode);
        this.fill();
      }, retryMs);
      timer.unref();
      this.retryTimers.add(timer);
    }
  }

  /**
   * A student waits for a place: frees one by removing a ready member (of the mode with the most
   * of them, so both modes stay available as long as possible). The pool refills once the line
   * is gone, as places free up.
   */
  private async giveUpOne(): Promise<void> {
    const ready = [...this.members.entries()].filter(([, m]) => m.ready);
    if (ready.length === 0 || this.givingUp) return;
    this.givingUp = true;
    const count = (mode: EnvMode): number => ready.filter(([, m]) => m.mode === mode).length;
    ready.sort(([, a], [, b]) => count(b.mode) - count(a.mode));
    const [id] = ready[0] as [string, Member];
    this.members.delete(id);
    this.opts.log.info({ envId: id }, 'giving a warm-pool environment up for a student in line');
    try {
      await this.opts.backend.remove({ id, owner: POOL_OWNER });
    } catch (err) {
      this.opts.log.warn({ envId: id, err: messageOf(err) }, 'could not remove a warm-pool environment');
    } finally {
      this.givingUp = false;
    }
    this.opts.admission.release(id);
  }
}
