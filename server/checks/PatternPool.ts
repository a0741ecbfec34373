import { Worker } from 'node:worker_threads';
import {
  matchHere,
  PatternTimeout,
  type CompiledPattern,
  type MatchOp,
  type PatternMatcher,
} from './pattern.ts';

/** Options of a PatternPool; the defaults suit the server. */
export interface PatternPoolOptions {
  /**
   * Worker threads at most. 2: the course host has two cores, and the HTTP server keeps its own
   * thread; more workers would only queue for the same CPUs.
   */
  readonly size?: number;
  /**
   * How long one match may run on a worker before the worker is terminated. RE2 is linear, so
   * the shipped patterns take milliseconds on the largest content a check reads (1 MiB); only a
   * huge program on huge content comes near this.
   */
  readonly deadlineMs?: number;
  /** Work (characters × program size) matched on the calling thread; 0 sends everything to a worker. */
  readonly inlineBudget?: number;
}

/**
 * Up to this much work (characters × RE2 program size), with a program of at most
 * INLINE_MAX_PROGRAM instructions, a match runs inline. Measured on a 2-core host with the worst
 * patterns we could build (`^(a+)+$`, `[a-q][^u-z]{13}x`, `(\w+\s*){40}`, `(((a|b|c|d)+){8}){3}`)
 * at this budget: about 1 ms to test and 5-7 ms to find once warm, up to ~16 ms on a process's
 * first match while V8 compiles re2js; a worker round trip is ~1 ms, ~100 ms when a worker has
 * to start. Topic names, config values and one-line output stay inline; files, long output and
 * batches of message values go to a worker.
 */
const INLINE_BUDGET = 16_384;
/** Bigger programs cost milliseconds to set up whatever the input, so they always go to a worker. */
const INLINE_MAX_PROGRAM = 256;
const DEFAULT_DEADLINE_MS = 3_000;
const DEFAULT_SIZE = 2;

/**
 * A worker's heap cap, so a runaway match fails on its own instead of taking the server's memory
 * with it. RE2's memory does not grow with the input, and the largest input a check reads is 1 MiB.
 */
const WORKER_HEAP_MB = 256;

type Result = boolean | string | null;

interface Job {
  readonly request: { id: number; source: string; flags: number; op: MatchOp; texts: readonly string[] };
  readonly signal: AbortSignal | undefined;
  resolve(results: Result[]): void;
  reject(err: Error): void;
}

/** A worker is starting (loading re2js), idle, or busy with one job until `done`. */
type WorkerState =
  | { readonly kind: 'starting' }
  | { readonly kind: 'idle' }
  | { readonly kind: 'busy'; readonly job: Job; readonly done: () => void };

/** What a worker posts back; anything else is a bug in patternWorker.js. */
type Answer = { ready: true } | { id: number; results: Result[] } | { id: number; error: string };

/** An abort reason as an Error: runCheck aborts with one, a bare `abort()` with a DOMException. */
function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

function isAnswer(v: unknown): v is Answer {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as { ready?: unknown; id?: unknown; results?: unknown; error?: unknown };
  return (
    a.ready === true ||
    (typeof a.id === 'number' && (Array.isArray(a.results) || typeof a.error === 'string'))
  );
}

/**
 * Matches lab patterns against students' content off the server's event loop. Small work runs
 * inline (RE2 is linear, so it cannot stall); the rest goes to a small pool of worker threads,
 * each match with a deadline (the pool's, or earlier when the caller's signal aborts). A worker
 * past its deadline is terminated and replaced by a fresh one on the next match, and the match
 * rejects with PatternTimeout. Workers start on first use, and only a worker someone waits on
 * keeps the process alive.
 */
export class PatternPool implements PatternMatcher {
  private readonly size: number;
  private readonly deadlineMs: number;
  private readonly inlineBudget: number;
  private readonly workerUrl = new URL('./patternWorker.js', import.meta.url);
  private readonly workers = new Map<Worker, WorkerState>();
  private readonly queue: Job[] = [];
  private nextId = 0;

  constructor(options: PatternPoolOptions = {}) {
    this.size = options.size ?? DEFAULT_SIZE;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.inlineBudget = options.inlineBudget ?? INLINE_BUDGET;
  }

  /** Whether the pattern matches somewhere in the text. */
  async test(pattern: CompiledPattern, text: string, signal?: AbortSignal): Promise<boolean> {
    return (await this.match(pattern, 'test', [text], signal))[0] === true;
  }

  /** For each text, in order, whether the pattern matches somewhere in it. */
  async testEach(
    pattern: CompiledPattern,
    texts: readonly string[],
    signal?: AbortSignal,
  ): Promise<boolean[]> {
    return (await this.match(pattern, 'test', texts, signal)).map((r) => r === true);
  }

  /** The first match of the pattern in the text, or undefined. */
  async find(pattern: CompiledPattern, text: string, signal?: AbortSignal): Promise<string | undefined> {
    const [found] = await this.match(pattern, 'find', [text], signal);
    return typeof found === 'string' ? found : undefined;
  }

  /** Thread ids of the live workers (tests check that a timed-out worker is gone). */
  get threadIds(): number[] {
    return [...this.workers.keys()].map((w) => w.threadId);
  }

  /**
   * Terminates the workers and rejects what is queued or running. The pool stays usable: a later
   * match starts workers again, so one shared pool can be disposed by whoever shuts down last.
   */
  async dispose(): Promise<void> {
    const closed = new Error('the pattern pool was disposed');
    for (const job of this.queue.splice(0)) job.reject(closed);
    const workers = [...this.workers];
    this.workers.clear();
    for (const [, state] of workers) {
      if (state.kind !== 'busy') continue;
      state.done();
      state.job.reject(closed);
    }
    await Promise.all(workers.map(([w]) => w.terminate()));
  }

  private match(
    pattern: CompiledPattern,
    op: MatchOp,
    texts: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<Result[]> {
    if (signal?.aborted) return Promise.reject(asError(signal.reason));
    const chars = texts.reduce((n, t) => n + t.length, 0);
    const program = pattern.re.programSize();
    if (program <= INLINE_MAX_PROGRAM && chars * program <= this.inlineBudget) {
      return Promise.resolve(matchHere(pattern.re, op, texts));
    }
    return new Promise<Result[]>((resolve, reject) => {
      // A match still waiting for a worker is dropped when its check gives up.
      const dropQueued = (): void => {
        const at = this.queue.indexOf(job);
        if (at < 0) return;
        this.queue.splice(at, 1);
        reject(asError(signal?.reason));
      };
      const job: Job = {
        request: { id: this.nextId++, source: pattern.source, flags: pattern.flags, op, texts },
        signal,
        resolve: (results) => {
          signal?.removeEventListener('abort', dropQueued);
          resolve(results);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', dropQueued);
          reject(err);
        },
      };
      signal?.addEventListener('abort', dropQueued, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /** Hands queued jobs to idle workers, and starts workers for the rest while there is room. */
  private pump(): void {
    for (const [worker, state] of this.workers) {
      const job = state.kind === 'idle' ? this.queue.shift() : undefined;
      if (job) this.dispatch(worker, job);
    }
    let starting = [...this.workers.values()].filter((s) => s.kind === 'starting').length;
    while (starting < this.queue.length && this.workers.size < this.size) {
      this.spawn();
      starting++;
    }
  }

  private spawn(): void {
    // The worker is plain JavaScript: the parent's flags (tsx's --import, --input-type, an
    // --inspect port) could only break it or slow its start.
    const worker = new Worker(this.workerUrl, {
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    this.setState(worker, { kind: 'starting' });
    worker.on('message', (answer: unknown) => {
      const state = this.workers.get(worker);
      if (!state || !isAnswer(answer)) return;
      if ('ready' in answer) {
        // Deadlines start here, so a slow thread start never counts against a match.
        if (state.kind === 'starting') this.setState(worker, { kind: 'idle' });
      } else if (state.kind === 'busy' && answer.id === state.job.request.id) {
        state.done();
        this.setState(worker, { kind: 'idle' });
        if ('error' in answer) state.job.reject(new Error(answer.error));
        else state.job.resolve(answer.results);
      }
      this.pump();
    });
    // A worker that crashes (out of memory, a bug) fails its match and is replaced on the next
    // one; one that cannot even start fails what waits, rather than being restarted in a loop.
    const lost = (err: Error): void => {
      const state = this.workers.get(worker);
      if (!state) return;
      this.workers.delete(worker);
      if (state.kind === 'busy') {
        state.done();
        state.job.reject(err);
      } else if (state.kind === 'starting') {
        const why = new Error(`the pattern worker could not start: ${err.message}`, { cause: err });
        for (const job of this.queue.splice(0)) job.reject(why);
      }
      this.pump();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the pattern worker exited with code ${code}`)));
  }

  /**
   * A worker holds the process open exactly while someone waits on it (starting for a queued
   * match, or matching): an idle pool never keeps a CLI or a test run from exiting, and a CLI
   * never exits under a match it still awaits.
   */
  private setState(worker: Worker, state: WorkerState): void {
    this.workers.set(worker, state);
    if (state.kind === 'idle') worker.unref();
    else worker.ref();
  }

  private dispatch(worker: Worker, job: Job): void {
    const stop = (reason: Error): void => {
      const state = this.workers.get(worker);
      if (state?.kind !== 'busy' || state.job !== job) return;
      this.workers.delete(worker);
      done();
      void worker.terminate();
      job.reject(reason);
      this.pump();
    };
    const timer = setTimeout(() => stop(new PatternTimeout(this.deadlineMs)), this.deadlineMs);
    const onAbort = (): void => stop(asError(job.signal?.reason));
    const done = (): void => {
      clearTimeout(timer);
      job.signal?.removeEventListener('abort', onAbort);
    };
    job.signal?.addEventListener('abort', onAbort, { once: true });
    this.setState(worker, { kind: 'busy', job, done });
    worker.postMessage(job.request);
  }
}

/** The server's pool: workers start on the first large match and never hold the process open. */
export const sharedPatternPool = new PatternPool();
