import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GradingService } from '../checks/GradingService.ts';
import type { EnvManager } from '../env/EnvManager.ts';
import type { EnvInfo, EnvMode, EnvState } from '../env/EnvironmentBackend.ts';
import type { Logger } from '../log.ts';
import type { TerminalHub } from '../terminal/TerminalHub.ts';

/** What the composition root supplies for `/metrics`; the rest comes from the app's services. */
export interface MetricsOptions {
  /** Bearer token scrapers must send; empty: only clients on this machine (loopback) may scrape. */
  readonly token: string;
  /** The environment engine's list of environments, asked once per scrape. */
  readonly environments: { list(): Promise<readonly EnvInfo[]> };
  /** Students waiting for room on the host (default: 0, no admission queue). */
  readonly queueLength?: () => number;
  /** Environments booted ahead of time and not yet claimed, by mode (default: none, no warm pool). */
  readonly poolSize?: () => Readonly<Record<EnvMode, number>>;
}

/** Everything the metrics read or hear. */
export interface MetricsSources extends MetricsOptions {
  readonly envs: Pick<EnvManager, 'onBootEnded'>;
  readonly grading: Pick<GradingService, 'onCheckRan'>;
  readonly terminals: Pick<TerminalHub, 'size'>;
  readonly log: Logger;
}

const STATES: readonly EnvState[] = ['creating', 'running', 'stopped', 'broken'];
const MODES: readonly EnvMode[] = ['install', 'ready'];

/**
 * Buckets in seconds. A cold boot takes 10-25 s alone and up to the 180 s boot timeout under
 * load; a resume targets <= 8 s; a check mostly well under a second, up to its 20 s default
 * timeout (longer when a lab sets `timeoutSec`).
 */
const BOOT_BUCKETS = [2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300];
const RESUME_BUCKETS = [0.5, 1, 2, 4, 8, 15, 30, 60, 120];
const CHECK_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60];

/**
 * The server's Prometheus metrics in a registry of their own (never prom-client's global one, so
 * several apps in one process keep theirs apart). Gauges are read when scraped; histograms and
 * the 5xx counter are fed by the services' events while the app runs.
 */
export class Metrics {
  /** The registry `/metrics` serializes. */
  readonly registry = new Registry();
  private readonly serverErrors: Counter<'reason'>;
  private readonly subscriptions: { dispose(): void }[];

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    const environments = new Gauge({
      name: 'kafkalab_environments',
      help: 'Environments on the engine by state (creating, running, stopped, broken) and mode.',
      labelNames: ['state', 'mode'] as const,
      registers,
      // One engine call per scrape. Values are set only after it answered, in one synchronous
      // step, so overlapping scrapes cannot mix their counts.
      collect: async () => {
        let list: readonly EnvInfo[];
        try {
          list = await sources.environments.list();
        } catch (err) {
          // No series rather than stale ones: the rest of the scrape still answers while the
          // engine is down, and `absent(kafkalab_environments)` says it is.
          sources.log.warn({ err }, 'metrics: listing environments failed');
          environments.reset();
          return;
        }
        environments.reset();
        for (const state of STATES) for (const mode of MODES) environments.set({ state, mode }, 0);
        for (const env of list) environments.inc({ state: env.state, mode: env.mode });
      },
    });
    const queueLength = sources.queueLength ?? (() => 0);
    new Gauge({
      name: 'kafkalab_queue_length',
      help: 'Students waiting in the admission queue for room on the host.',
      registers,
      collect() {
        this.set(queueLength());
      },
    });
    const poolSize = sources.poolSize ?? (() => ({ install: 0, ready: 0 }));
    new Gauge({
      name: 'kafkalab_pool_size',
      help: 'Environments booted ahead of time in the warm pool and ready to be taken, by mode.',
      labelNames: ['mode'] as const,
      registers,
      collect() {
        const size = poolSize();
        for (const mode of MODES) this.set({ mode }, size[mode]);
      },
    });
    const terminals = sources.terminals;
    new Gauge({
      name: 'kafkalab_terminals_active',
      help: 'Open shells (attached, or detached and within their grace period).',
      registers,
      collect() {
        this.set(terminals.size);
      },
    });

    const boots = new Histogram({
      name: 'kafkalab_boot_duration_seconds',
      help: 'Time from the start of a boot (create or replace) to ready or failure; outcome "pool": taken from the warm pool.',
      labelNames: ['mode', 'outcome'] as const,
      buckets: BOOT_BUCKETS,
      registers,
    });
    const resumes = new Histogram({
      name: 'kafkalab_resume_duration_seconds',
      help: 'Time to start a stopped environment again, to ready or failure.',
      labelNames: ['mode', 'outcome'] as const,
      buckets: RESUME_BUCKETS,
      registers,
    });
    const checks = new Histogram({
      name: 'kafkalab_check_duration_seconds',
      help: 'Time to run a check on an environment and diagnose a failure, by check type and status.',
      labelNames: ['type', 'status'] as const,
      buckets: CHECK_BUCKETS,
      registers,
    });
    this.serverErrors = new Counter({
      name: 'kafkalab_http_5xx_total',
      help: 'HTTP responses with a 5xx status from the error handler, by reason.',
      labelNames: ['reason'] as const,
      registers,
    });

    this.subscriptions = [
      sources.envs.onBootEnded((b) =>
        (b.resumed ? resumes : boots).observe(
          { mode: b.mode, outcome: b.claimed === true ? 'pool' : b.ok ? 'ok' : 'failed' },
          b.seconds,
        ),
      ),
      sources.grading.onCheckRan((c) => checks.observe({ type: c.type, status: c.status }, c.seconds)),
    ];
  }

  /** Counts one 5xx answer (`reason` is the AppError's: a fixed set, not user input). */
  serverError(reason: string): void {
    this.serverErrors.inc({ reason });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Stops hearing the services' events. */
  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.registry.clear();
  }
}
