import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';
import { dataPaths } from './config.ts';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line. */
const redact = ['*.password', '*.token', '*.privateKey', 'req.headers.cookie', 'req.headers.authorization'];

/** The server's structured logger: JSON lines on stdout. */
export function createLogger(config: Config): Logger {
  return pino({ level: config.logLevel, redact });
}

/** A logger that writes to `<dataDir>/logs/<name>.log`, for the CLI whose console shows progress. */
export function createFileLogger(config: Config, name: string): Logger {
  const dir = dataPaths(config).logs;
  mkdirSync(dir, { recursive: true });
  return pino(
    { level: config.logLevel === 'silent' ? 'silent' : 'debug', redact },
    pino.destination({ dest: path.join(dir, `${name}.log`), mkdir: true, sync: true }),
  );
}
