import { availableParallelism, totalmem } from 'node:os';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';

/** How many recent boots the wait estimate averages over: enough to smooth one slow boot out. */
const RECENT_BOOTS = 10;
/**
 * What one boot is assumed to take before any has finished: a cold boot takes 10-25 s on a
 * 2-core machine when it is alone, a resume less; 30 s errs on the side of "sooner than said".
 */
const DEFAULT_BOOT_SECONDS = 30;

/** The two limits of admission. */
export interface AdmissionLimits {
  /** Environments that may be running or booting at once (stopped ones do not count). */
  readonly capacity: number;
  /** Environments that may boot (create or resume) at once. */
  readonly bootConcurrency: number;
}

/** What the host offers, as the limits are computed from it. */
export interface HostFacts {
  readonly totalMemoryMb: number;
  readonly cores: number;
}

/** The limits a configuration gives on a host, with the figures they came from (logged at start). */
export interface AdmissionPlan extends AdmissionLimits {
  /** How many environments the memory budget holds: (host memory - reserve) / per-environment limit. */
  readonly byMemory: number;
  readonly maxEnvironments: number;
  readonly host: HostFacts;
}

/** A student's place in line. */
export interface QueuePlace {
  /** 1-based. */
  readonly position: number;
  /** A guess at the wait, from the recent boot times and the boot concurrency. */
  readonly etaSeconds: number;
}

/** The options admission is computed from. */
export type AdmissionConfig = Pick<
  Config,
  'maxEnvironments' | 'hostReserveMb' | 'envMemoryMb' | 'bootConcurrency'
>;

/** This machine's memory and cores. */
export function hostFacts(): HostFacts {
  return { totalMemoryMb: Math.floor(totalmem() / 2 ** 20), cores: availableParallelism() };
}

/**
 * The admission limits: capacity = min(KAFKALAB_MAX_ENVS, floor((host memory - reserve) /
 * per-environment memory)); boot concurrency = KAFKALAB_BOOT_CONCURRENCY, or one per core when 0.
 */
export function planAdmission(config: AdmissionConfig, host: HostFacts): AdmissionPlan {
  const byMemory = Math.max(0, Math.floor((host.totalMemoryMb - config.hostReserveMb) / config.envMemoryMb));
  return {
    capacity: Math.min(config.maxEnvironments, byMemory),
    bootConcurrency: config.bootConcurrency > 0 ? config.bootConcurrency : Math.max(1, host.cores),
    byMemory,
    maxEnvironments: config.maxEnvironments,
    host,
  };
}

/**
 * The plan, or a `bad_config` error naming the options when they leave room for no environment
 * at all (a server that can only ever queue students is a configuration mistake, not a full host).
 */
export function checkAdmissionConfig(config: AdmissionConfig, host: HostFacts): AdmissionPlan {
  const plan = planAdmission(config, host);
  if (plan.capacity < 1) {
    const free = host.totalMemoryMb - config.hostReserveMb;
    throw new AppError(400, 'bad_config', 'The configuration leaves room for no student environment', {
      details:
        `This host has ${host.totalMemoryMb} MiB of memory; KAFKALAB_HOST_RESERVE_MB=${config.hostReserveMb} ` +
        `keeps ${config.hostReserveMb} MiB free, leaving ${Math.max(0, free)} MiB, and one environment needs ` +
        `KAFKALAB_ENV_MEMORY_MB=${config.envMemoryMb} MiB. Lower KAFKALAB_HOST_RESERVE_MB or ` +
        'KAFKALAB_ENV_MEMORY_MB, or run on a host with more memory.',
    });
  }
  return plan;
}

interface Waiter {
  readonly id: string;
  /** Holds a place already (its environment is being replaced): needs only a boot slot. */
  readonly placed: boolean;
  /** The warm pool's refill: admitted only when no student waits, and never shown a place. */
  readonly background: boolean;
  readonly resolve: (admitted: boolean) => void;
  readonly admitted: Promise<boolean>;
  /** The position last told to listeners (0: not told yet). */
  told: number;
}

/**
 * Who may boot an environment now: a FIFO line in front of two limits, the host's capacity
 * (environments running or booting) and the boot concurrency. Environments are named by id.
 * Pure bookkeeping: no engine, no timers; the clock is injected, and the counts are what its
 * callers tell it (`hold` for what was already running at start, `sync` for what the engine
 * lists), so tests drive it step by step.
 *
 * Life of an id: `request` -> waits in line -> admitted (takes a place and a boot slot) ->
 * `bootEnded` (gives the slot back, keeps the place) -> `release` when stopped or removed (gives
 * the place back). A failed boot gives both back (`bootFailed`); `leave` takes a waiting id out of
 * the line. An environment being replaced (a reset) keeps its place and waits only for a boot
 * slot, ahead of those who wait for a place: replacing takes nothing from anyone.
 */
export class Admission {
  private readonly line: Waiter[] = [];
  /** Ids holding a place: running, booting, or admitted and about to boot. */
  private readonly places = new Set<string>();
  /** Ids holding a boot slot, with when they were admitted. */
  private readonly booting = new Map<string, number>();
  /** Durations of recent boots in seconds, oldest first. */
  private readonly recent: number[] = [];
  private readonly listeners = new Set<(moved: readonly string[]) => void>();
  /** Counts releases; each released id keeps the count of its release (see `mark`). */
  private releases = 0;
  private readonly releasedAt = new Map<string, number>();

  constructor(
    readonly limits: AdmissionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Asks to boot `id`: resolves `true` once admitted (at once when there is room and nobody is
   * waiting), `false` if it left the line first. Asking again while waiting joins the same place.
   * An id that holds a place already (its environment is being replaced) keeps it and goes ahead
   * of those waiting for one.
   */
  request(id: string, opts: { background?: boolean } = {}): Promise<boolean> {
    const waiting = this.line.find((w) => w.id === id);
    if (waiting) return waiting.admitted;
    if (this.booting.has(id)) return Promise.resolve(true);
    this.releasedAt.delete(id);
    let resolve!: (admitted: boolean) => void;
    const admitted = new Promise<boolean>((r) => (resolve = r));
    const background = opts.background === true;
    const w: Waiter = { id, placed: this.places.has(id), background, resolve, admitted, told: 0 };
    // Students go ahead of the pool's refills; replacements ahead of those waiting for a place.
    const ahead = background ? -1 : this.line.findIndex((x) => x.background || (w.placed && !x.placed));
    if (ahead >= 0) this.line.splice(ahead, 0, w);
    else this.line.push(w);
    this.pump();
    return admitted;
  }

  /** Where `id` waits, or undefined when it is not in line (admitted, never asked, or a refill). */
  place(id: string): QueuePlace | undefined {
    const i = this.line.findIndex((w) => w.id === id);
    if (i < 0 || this.line[i]?.background === true) return undefined;
    return { position: i + 1, etaSeconds: this.eta(i + 1) };
  }

  /**
   * Whether a student waits for a place the host does not have (the warm pool then gives one of
   * its environments up).
   */
  starved(): boolean {
    const head = this.line[0];
    return head !== undefined && !head.background && !head.placed && this.places.size >= this.limits.capacity;
  }

  /**
   * Takes `id` out of the line (its request resolves `false`); whether it was waiting. One that
   * was being replaced gives its place up too (the student reset or stopped instead).
   */
  leave(id: string): boolean {
    const i = this.line.findIndex((w) => w.id === id);
    if (i < 0) return false;
    const [w] = this.line.splice(i, 1);
    if (w?.placed === true) this.places.delete(id);
    w?.resolve(false);
    this.pump();
    return true;
  }

  /** The boot of `id` finished: its boot slot is free, it keeps its place (it runs now). */
  bootEnded(id: string): void {
    const since = this.booting.get(id);
    if (since === undefined) return;
    this.booting.delete(id);
    this.recent.push(Math.max(0, this.now() - since) / 1000);
    if (this.recent.length > RECENT_BOOTS) this.recent.shift();
    this.pump();
  }

  /** The boot of `id` failed: nothing of it runs, so its slot and its place are free. */
  bootFailed(id: string): void {
    this.release(id);
  }

  /** `id` was stopped or removed (or failed): gives back its place, its slot, its place in line. */
  release(id: string): void {
    const i = this.line.findIndex((w) => w.id === id);
    if (i >= 0) this.line.splice(i, 1)[0]?.resolve(false);
    const hadPlace = this.places.delete(id);
    const hadSlot = this.booting.delete(id);
    this.releasedAt.set(id, ++this.releases);
    // Only a sync that started before the release needs it; a class's worth is plenty.
    if (this.releasedAt.size > 10_000) this.releasedAt.delete(this.releasedAt.keys().next().value as string);
    if (hadPlace || hadSlot || i >= 0) this.pump();
  }

  /** Counts environments that run already (found at start) against the capacity. */
  hold(ids: Iterable<string>): void {
    for (const id of ids) if (!this.line.some((w) => w.id === id)) this.places.add(id);
  }

  /**
   * Corrects the places after the engine was asked what runs (an operator may have stopped or
   * removed environments from a shell): ids in `active` hold a place; others give theirs back
   * unless they are booting or being replaced (not in the engine's list for a moment). Ids
   * waiting for a place stay in line, also when the engine still lists their old environment.
   */
  sync(active: Iterable<string>, mark = Infinity): void {
    // The engine was asked at `mark`: what was released since is gone, even if it was listed.
    const now = new Set([...active].filter((id) => (this.releasedAt.get(id) ?? 0) <= mark));
    const replacing = new Set(this.line.filter((w) => w.placed).map((w) => w.id));
    for (const id of [...this.places])
      if (!now.has(id) && !this.booting.has(id) && !replacing.has(id)) this.places.delete(id);
    this.hold(now);
    this.pump();
  }

  /** A mark to take before asking the engine what runs, for `sync`: releases after it win. */
  mark(): number {
    return this.releases;
  }

  /** Hears every change of the line, with the ids whose position changed (possibly none). */
  onChange(listener: (moved: readonly string[]) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** Counts for operators and metrics. */
  stats(): { capacity: number; bootConcurrency: number; occupied: number; booting: number; queued: number } {
    return {
      capacity: this.limits.capacity,
      bootConcurrency: this.limits.bootConcurrency,
      occupied: this.places.size,
      booting: this.booting.size,
      queued: this.line.filter((w) => !w.background).length,
    };
  }

  /** Mean of the recent boot durations (the default before any finished), in seconds. */
  averageBootSeconds(): number {
    if (this.recent.length === 0) return DEFAULT_BOOT_SECONDS;
    return this.recent.reduce((a, b) => a + b, 0) / this.recent.length;
  }

  /** Position p waits for about p boots, `bootConcurrency` of them at a time. */
  private eta(position: number): number {
    return Math.ceil((position * this.averageBootSeconds()) / this.limits.bootConcurrency);
  }

  /** Admits from the head while both limits allow, then tells who moved. */
  private pump(): void {
    const { capacity, bootConcurrency } = this.limits;
    for (let head = this.line[0]; head !== undefined; head = this.line[0]) {
      if (this.booting.size >= bootConcurrency) break;
      if (!head.placed && this.places.size >= capacity) break;
      const w = this.line.shift() as Waiter;
      this.places.add(w.id);
      this.booting.set(w.id, this.now());
      w.resolve(true);
    }
    const moved: string[] = [];
    this.line.forEach((w, i) => {
      if (!w.background && w.told !== i + 1) {
        w.told = i + 1;
        moved.push(w.id);
      }
    });
    for (const listener of this.listeners) listener(moved);
  }
}

/** Admission without limits: what tests and the dev server get unless they ask for one. */
export function unlimitedAdmission(): Admission {
  return new Admission({ capacity: Infinity, bootConcurrency: Infinity });
}
