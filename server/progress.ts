/** One step of long-running work (engine start, image build, environment boot). */
export interface ProgressEvent {
  /** Short machine name of the phase, e.g. `base`, `kafka-dist`, `zookeeper`. */
  readonly phase: string;
  /** Human-readable line for consoles and the browser. */
  readonly message: string;
  /** Optional counters, e.g. ZooKeeper 2/3. */
  readonly done?: number;
  readonly total?: number;
}

/** Receives progress events; must not throw. */
export type Progress = (event: ProgressEvent) => void;

/** A progress sink that drops everything. */
export const silentProgress: Progress = () => undefined;

/** Prints progress lines with the elapsed time, for the CLI. */
export function consoleProgress(stream: NodeJS.WritableStream = process.stderr): Progress {
  const started = Date.now();
  return (e) => {
    const secs = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
    const count = e.total === undefined ? '' : ` ${e.done ?? 0}/${e.total}`;
    stream.write(`[${secs}s] ${e.phase}${count}: ${e.message}\n`);
  };
}
