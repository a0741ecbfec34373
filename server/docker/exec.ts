import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import type { ExecOptions, ExecResult } from '../env/EnvironmentBackend.ts';
import { AppError, messageOf } from '../errors.ts';

/** Where abortable commands record the pid of their shell inside the container. */
const EXEC_PID_PREFIX = '/run/kafkalab-exec.';

/**
 * Stops an abortable command: TERM to the children of its shell (the `timeout`, which passes it
 * on to the command and KILLs it 2 s later).
 */
async function killRecorded(docker: Docker, containerId: string, pidFile: string): Promise<void> {
  await execIn(
    docker,
    containerId,
    ['sh', '-c', `p=$(cat ${pidFile} 2>/dev/null) && pkill -TERM -P "$p"; rm -f ${pidFile}`],
    {
      timeoutMs: 5000,
    },
  ).catch(() => undefined);
}

function aborted(argv: readonly string[]): AppError {
  return new AppError(499, 'aborted', `${argv[0] ?? 'the command'} was stopped`);
}

/** Exit code of coreutils `timeout` when it had to stop the command. */
const TIMEOUT_EXIT = 124;

/**
 * Runs `argv` in a running container and collects its output and exit code. The command runs
 * under coreutils `timeout` inside the container so a hung command is really killed there, not
 * just abandoned; a client-side guard covers a container that stops answering altogether.
 */
export async function execIn(
  docker: Docker,
  containerId: string,
  argv: readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  if (argv.length === 0) throw new AppError(400, 'bad_request', 'Empty command');
  if (opts.signal?.aborted) throw aborted(argv);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const secs = Math.max(1, Math.ceil(timeoutMs / 1000));
  const started = Date.now();
  const container = docker.getContainer(containerId);
  const timed = ['timeout', '--kill-after=2', String(secs), ...argv];
  // An abortable command runs under a shell that records its pid and removes the record when the
  // command ends, so an abort can kill the command inside the container rather than just stop
  // waiting, with no second exec to clean up after a normal run.
  const pidFile = opts.signal ? `${EXEC_PID_PREFIX}${randomBytes(8).toString('hex')}` : undefined;
  let exec: Docker.Exec;
  try {
    exec = await container.exec({
      Cmd: pidFile
        ? [
            'sh',
            '-c',
            `echo $$ > ${pidFile}; "$@"; rc=$?; rm -f ${pidFile}; exit $rc`,
            'kafkalab-exec',
            ...timed,
          ]
        : timed,
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: opts.stdin !== undefined,
      Tty: false,
      Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
      ...(opts.workdir === undefined ? {} : { WorkingDir: opts.workdir }),
    });
  } catch (err) {
    throw engineError(err, containerId);
  }
  const stream = await exec.start({ hijack: true, stdin: opts.stdin !== undefined });
  const limit = opts.maxOutputBytes ?? 8 * 2 ** 20;
  const out = new Collector(limit, opts.onStdout);
  const errOut = new Collector(limit);
  docker.modem.demuxStream(stream, out, errOut);

  let guardFired = false;
  const ended = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  const guard = setTimeout(() => {
    guardFired = true;
    stream.destroy();
  }, timeoutMs + 5_000);
  if (opts.stdin !== undefined) {
    stream.write(opts.stdin);
    stream.end();
  }
  const onAbort = (): void => void killRecorded(docker, containerId, pidFile ?? '');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  await ended;
  clearTimeout(guard);
  opts.signal?.removeEventListener('abort', onAbort);
  if (opts.signal?.aborted) throw aborted(argv);

  let exitCode = -1;
  // The engine may report the exit code a moment after the stream ends.
  for (let i = 0; i < 50 && !guardFired; i++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) {
      exitCode = info.ExitCode;
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    exitCode,
    stdout: out.text(),
    stderr: errOut.text(),
    timedOut: guardFired || exitCode === TIMEOUT_EXIT || exitCode === 128 + 9,
    truncated: out.truncated || errOut.truncated,
    durationMs: Date.now() - started,
  };
}

/** Maps an engine error about a container to an AppError with a clear message. */
export function engineError(err: unknown, containerId: string): AppError {
  const status = (err as { statusCode?: number }).statusCode;
  if (status === 404)
    return new AppError(404, 'container_not_found', `Container ${containerId} does not exist`, {
      cause: err,
    });
  if (status === 409)
    return new AppError(409, 'container_not_running', `Container ${containerId} is not running`, {
      cause: err,
    });
  return new AppError(503, 'engine_error', `The Docker engine failed: ${messageOf(err)}`, { cause: err });
}

/** A writable that keeps the first `limit` bytes. */
class Collector extends Writable {
  private readonly chunks: Buffer[] = [];
  /** Keeps a UTF-8 sequence split across chunks whole for the listener. */
  private readonly decoder = new StringDecoder('utf8');
  private size = 0;
  truncated = false;

  constructor(
    private readonly limit: number,
    private readonly listener?: (text: string) => void,
  ) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    if (this.listener) this.listener(this.decoder.write(chunk));
    const room = this.limit - this.size;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(part);
      this.size += part.length;
    }
    if (chunk.length > room) this.truncated = true;
    done();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Strips the engine's 8-byte stream headers from a non-TTY log buffer (`docker logs`). */
export function demuxLogs(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2) && buf[i + 1] === 0) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  // Not multiplexed (a TTY container): the buffer is the text itself.
  return i === 0 ? buf.toString('utf8') : Buffer.concat(parts).toString('utf8');
}
