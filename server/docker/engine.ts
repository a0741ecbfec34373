import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { AppError, messageOf } from '../errors.ts';
import type { Progress } from '../progress.ts';

/** What `doctor` and `/healthz` say about the engine. */
export interface EngineInfo {
  readonly version: string;
  readonly apiVersion: string;
  readonly rootDir: string;
  readonly storageDriver: string;
  readonly containers: number;
  readonly images: number;
}

/** Outside effects of the bootstrap, injectable so unit tests need no root and no apt. */
export interface HostOps {
  isRoot(): boolean;
  osId(): string;
  which(cmd: string): boolean;
  /** Runs a command to completion; resolves with its exit code. Output goes to `logFile`. */
  run(cmd: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): Promise<number>;
  /** Starts a long-lived daemon in its own session, output appended to `logFile`; returns its pid. */
  startDaemon(cmd: string, args: string[], logFile: string): { pid: number; exited: () => boolean };
  readTail(file: string, lines: number): string;
}

/** HostOps for the real machine. */
export const realHost: HostOps = {
  isRoot: () => process.getuid?.() === 0,
  osId: () => {
    try {
      const text = readFileSync('/etc/os-release', 'utf8');
      const id = /^ID=(.*)$/m.exec(text)?.[1] ?? '';
      const like = /^ID_LIKE=(.*)$/m.exec(text)?.[1] ?? '';
      return `${id} ${like}`.replace(/"/g, '').trim();
    } catch {
      return '';
    }
  },
  which: (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0,
  run: (cmd, args, logFile, env) =>
    new Promise((resolve, reject) => {
      const fd = openSync(logFile, 'a');
      const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
      child.on('error', (err) => {
        closeSync(fd);
        reject(err);
      });
      child.on('exit', (code) => {
        closeSync(fd);
        resolve(code ?? 1);
      });
    }),
  startDaemon: (cmd, args, logFile) => {
    const fd = openSync(logFile, 'a');
    // detached: its own process session, so it outlives this process and our terminal's signals.
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    let exited = false;
    child.on('exit', () => (exited = true));
    child.on('error', () => (exited = true));
    child.unref();
    return { pid: child.pid ?? -1, exited: () => exited };
  },
  readTail: (file, lines) => {
    try {
      return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  },
};

/** Options of `ensureEngine`. */
export interface EnsureEngineOptions {
  readonly logDir: string;
  readonly progress: Progress;
  readonly env?: NodeJS.ProcessEnv;
  readonly host?: HostOps;
  /** How long to wait for a freshly started dockerd. */
  readonly startTimeoutMs?: number;
  /** A client factory, so tests can point at a fake engine. */
  readonly connect?: () => Docker;
}

const HOW_TO_GET_DOCKER =
  'Install Docker Engine (https://docs.docker.com/engine/install/) and start it, or set DOCKER_HOST to a ' +
  'reachable engine. As root on Debian or Ubuntu, Kafka Lab installs docker.io with apt and starts it itself.';

/**
 * Returns a client for a Docker engine that answers, starting one if needed: when nothing answers
 * on the default socket and we are root on Debian/Ubuntu, installs `docker.io` with apt (once),
 * starts `dockerd` in its own session with its log in `logDir`, and waits for it. A DOCKER_HOST
 * that does not answer is reported, never replaced.
 */
export async function ensureEngine(opts: EnsureEngineOptions): Promise<Docker> {
  const env = opts.env ?? process.env;
  const host = opts.host ?? realHost;
  const connect = opts.connect ?? (() => new Docker());
  const docker = connect();
  const first = await ping(docker);
  if (first === true) return docker;

  const dockerHost = env.DOCKER_HOST;
  if (dockerHost !== undefined && dockerHost !== '' && dockerHost !== 'unix:///var/run/docker.sock') {
    throw new AppError(
      503,
      'engine_unreachable',
      `The Docker engine at DOCKER_HOST=${dockerHost} does not answer`,
      {
        details: `${first}\nStart that engine, or unset DOCKER_HOST to use (or start) a local one.`,
      },
    );
  }
  if (!host.isRoot() || !/\b(debian|ubuntu)\b/.test(host.osId()) || !host.which('apt-get')) {
    throw new AppError(503, 'engine_unreachable', 'No Docker engine answers on this machine', {
      details: `${first}\n${HOW_TO_GET_DOCKER}`,
    });
  }

  mkdirSync(opts.logDir, { recursive: true });
  if (!host.which('dockerd')) {
    const aptLog = path.join(opts.logDir, 'apt-docker.log');
    opts.progress({ phase: 'engine', message: 'installing docker.io with apt (one time, about a minute)' });
    await aptInstall(host, ['docker.io'], aptLog, 'docker.io');
  }

  const logFile = path.join(opts.logDir, 'dockerd.log');
  opts.progress({ phase: 'engine', message: `starting dockerd in the background (log: ${logFile})` });
  const daemon = host.startDaemon('dockerd', [], logFile);
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  let last: true | string = first;
  while (Date.now() < deadline) {
    await sleep(250);
    last = await ping(docker);
    if (last === true) {
      opts.progress({ phase: 'engine', message: `dockerd is up (pid ${daemon.pid})` });
      return docker;
    }
    if (daemon.exited()) break;
  }
  throw new AppError(503, 'engine_start_failed', 'dockerd was started but the engine did not come up', {
    details: `last error: ${last}\n--- tail of ${logFile} ---\n${host.readTail(logFile, 20)}`,
  });
}

/** Installs Debian packages non-interactively, failing with the tail of apt's log. */
export async function aptInstall(
  host: HostOps,
  packages: string[],
  logFile: string,
  what: string,
): Promise<void> {
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const update = await host.run('apt-get', ['update'], logFile, env);
  const install =
    update === 0
      ? await host.run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], logFile, env)
      : 1;
  if (install !== 0) {
    throw new AppError(503, 'apt_failed', `Could not install ${what} with apt-get`, {
      details: `--- tail of ${logFile} ---\n${host.readTail(logFile, 15)}`,
    });
  }
}

/** The fields of the engine's /info answer that Kafka Lab reads. */
interface RawInfo {
  DockerRootDir?: string;
  Driver?: string;
  Containers?: number;
  Images?: number;
}

/** Connects only if an engine answers; never starts or installs anything (for health checks). */
export async function engineInfo(docker: Docker): Promise<EngineInfo> {
  try {
    const [version, info] = await Promise.all([docker.version(), docker.info() as Promise<RawInfo>]);
    return {
      version: version.Version,
      apiVersion: version.ApiVersion,
      rootDir: info.DockerRootDir ?? '',
      storageDriver: info.Driver ?? '',
      containers: info.Containers ?? 0,
      images: info.Images ?? 0,
    };
  } catch (err) {
    throw new AppError(503, 'engine_unreachable', 'The Docker engine does not answer', {
      cause: err,
      details: messageOf(err),
    });
  }
}

/** Pings with a short timeout; true or the reason it failed. */
async function ping(docker: Docker): Promise<true | string> {
  try {
    await Promise.race([
      docker.ping(),
      sleep(3000).then(() => {
        throw new Error('no answer within 3 s');
      }),
    ]);
    return true;
  } catch (err) {
    return messageOf(err);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
