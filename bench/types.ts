import type { Config } from '../server/config.ts';
import type { Runtime } from '../server/main.ts';

/** One line of the printed table (and of the JSON results). */
export interface Metric {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** Every run's value, for the JSON (medians hide spread). */
  readonly runs?: readonly number[];
  readonly note?: string;
}

/** What a section gets: the real runtime, how many runs to do, and options some sections read. */
export interface BenchContext {
  readonly config: Config;
  readonly runtime: Runtime;
  readonly runs: number;
  /** `--students N`: how many students arrive at once (the class section; its default when absent). */
  readonly students?: number;
  log(line: string): void;
}

/** A named group of measurements. */
export interface Section {
  readonly name: string;
  readonly describe: string;
  run(ctx: BenchContext): Promise<Metric[]>;
}
