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

/** What a section gets: the real runtime, and how many runs to do. */
export interface BenchContext {
  readonly config: Config;
  readonly runtime: Runtime;
  readonly runs: number;
  log(line: string): void;
}

/** A named group of measurements. */
export interface Section {
  readonly name: string;
  readonly describe: string;
  run(ctx: BenchContext): Promise<Metric[]>;
}
