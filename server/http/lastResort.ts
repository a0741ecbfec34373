import type { Logger } from '../log.ts';

let installed: (() => void) | undefined;

/**
 * Keeps the server up when something escapes every handler: Kafka Lab runs without a supervisor,
 * so one stray exception would otherwise end every student's session and terminal. Logs it at
 * error level (a bug to fix, with its stack) and keeps serving. Installing twice keeps the first
 * installation; the returned function removes the handlers (also safe to call twice).
 */
export function installLastResort(log: Logger): () => void {
  if (installed) return installed;
  const onException = (err: Error, origin: NodeJS.UncaughtExceptionOrigin): void => {
    log.error({ err, origin }, 'uncaught exception; still serving');
  };
  const onRejection = (reason: unknown): void => {
    log.error({ err: reason }, 'unhandled promise rejection; still serving');
  };
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  const dispose = (): void => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
    if (installed === dispose) installed = undefined;
  };
  installed = dispose;
  return dispose;
}
