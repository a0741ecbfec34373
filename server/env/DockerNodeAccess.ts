import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { engineError, execIn } from '../docker/exec.ts';
import { AppError } from '../errors.ts';
import type {
  ClaimedBy,
  DirEntry,
  EnvRef,
  ExecOptions,
  ExecResult,
  FileContent,
  NodeAccess,
  NodeName,
  TerminalSession,
} from './EnvironmentBackend.ts';
import { checkServerPath, firstFileOfTar, MAX_FILE_BYTES, packTar } from './files.ts';
import { LABELS, ownerOfLabels } from './labels.ts';
import { names } from './naming.ts';

/** Where terminal shells record their pid, so closing a terminal can hang it up. */
const TERM_DIR = '/run/kafkalab/terms';

/** How many verified containers are remembered (a class has a few dozen environments of three). */
const VERIFIED_CACHE = 1000;

/**
 * Commands, terminals and files on the servers of environments, through the Docker API. A
 * server is found by name, then its labels are checked against the caller's ref (prefix,
 * environment, owner) before anything runs; from then on it is addressed by container id, so a
 * container recreated under the same name is checked again.
 */
export class DockerNodeAccess implements NodeAccess {
  /** Container name -> id, for containers whose labels matched the ref that asked. */
  private readonly verified = new Map<string, { id: string; owner: string }>();

  constructor(
    private readonly docker: Docker,
    private readonly prefix: string,
    /** Who took a warm-pool environment (the store). */
    private readonly claimedBy?: ClaimedBy,
  ) {}

  /** The container name of a server. */
  containerName(envId: string, node: NodeName): string {
    return names(this.prefix, envId).container(node);
  }

  /** The id of the caller's container, after checking its labels; 404 for anyone else's. */
  private async containerId(env: EnvRef, node: NodeName): Promise<string> {
    const name = this.containerName(env.id, node);
    const known = this.verified.get(name);
    if (known !== undefined && known.owner === env.owner) return known.id;
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(name).inspect();
    } catch (err) {
      throw this.explain(err, env, node);
    }
    const labels = info.Config.Labels;
    if (
      labels[LABELS.prefix] !== this.prefix ||
      labels[LABELS.env] !== env.id ||
      labels[LABELS.node] !== node ||
      ownerOfLabels(labels, this.claimedBy) !== env.owner
    ) {
      // Said like a missing server: whose it is, is not the caller's business.
      throw new AppError(404, 'env_not_found', `Environment ${env.id} has no server ${node} of yours`);
    }
    if (this.verified.size >= VERIFIED_CACHE) this.verified.clear();
    this.verified.set(name, { id: info.Id, owner: env.owner });
    return info.Id;
  }

  /** Runs `use` on the caller's container; a container gone since it was verified is looked up again once. */
  private async withContainer<T>(env: EnvRef, node: NodeName, use: (id: string) => Promise<T>): Promise<T> {
    const id = await this.containerId(env, node);
    try {
      return await use(id);
    } catch (err) {
      const e = err instanceof AppError ? err : engineError(err, id);
      if (e.reason !== 'container_not_found') throw this.explain(err, env, node);
      this.verified.delete(this.containerName(env.id, node));
      try {
        return await use(await this.containerId(env, node));
      } catch (again) {
        throw this.explain(again, env, node);
      }
    }
  }

  async exec(
    env: EnvRef,
    node: NodeName,
    argv: readonly string[],
    opts: ExecOptions = {},
  ): Promise<ExecResult> {
    return this.withContainer(env, node, (id) => execIn(this.docker, id, argv, opts));
  }

  async openTerminal(
    env: EnvRef,
    node: NodeName,
    size: { cols: number; rows: number },
  ): Promise<TerminalSession> {
    const containerId = await this.containerId(env, node);
    const container = this.docker.getContainer(containerId);
    const termId = randomBytes(6).toString('hex');
    const pidFile = `${TERM_DIR}/${termId}`;
    let exec: Docker.Exec;
    let stream: Duplex;
    try {
      exec = await container.exec({
        // The pid is the TTY session's leader: `exec` keeps it for the login shell.
        Cmd: ['/bin/sh', '-c', `mkdir -p ${TERM_DIR} && echo $$ > ${pidFile} && cd /root && exec bash -l`],
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
        Env: ['TERM=xterm-256color', 'LANG=C.UTF-8'],
      });
      stream = await exec.start({ hijack: true, stdin: true, Tty: true });
    } catch (err) {
      throw this.explain(err, env, node);
    }
    const ended = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
    const resize = async (cols: number, rows: number): Promise<void> => {
      await exec.resize({ w: clamp(cols, 2, 1000), h: clamp(rows, 2, 500) }).catch(() => undefined);
    };
    await resize(size.cols, size.rows);
    let closed = false;
    return {
      stream,
      resize,
      ended,
      close: async () => {
        if (closed) return;
        closed = true;
        // Like a dropped ssh connection: SIGHUP to the shell, which passes it to its jobs and
        // exits; whatever ignores it (nohup'd daemons such as kafka-server-start.sh -daemon)
        // keeps running. Anything left in the shell's process group is then killed.
        await execIn(
          this.docker,
          containerId,
          [
            'sh',
            '-c',
            `p=$(cat ${pidFile} 2>/dev/null) || exit 0; kill -HUP "$p" 2>/dev/null; sleep 0.3; ` +
              `kill -0 "$p" 2>/dev/null && kill -KILL -- "-$p" 2>/dev/null; rm -f ${pidFile}`,
          ],
          { timeoutMs: 5000 },
        ).catch(() => undefined);
        stream.destroy();
      },
    };
  }

  async listDir(env: EnvRef, node: NodeName, dirPath: string): Promise<DirEntry[]> {
    const dir = await this.resolvePath(env, node, dirPath);
    const r = await this.exec(env, node, [
      'find',
      dir,
      '-mindepth',
      '1',
      '-maxdepth',
      '1',
      '-printf',
      '%y\\t%s\\t%T@\\t%f\\n',
    ]);
    if (r.exitCode !== 0) {
      if (/No such file/.test(r.stderr))
        throw new AppError(404, 'file_not_found', `${dir} does not exist on ${node}`);
      if (/Not a directory/.test(r.stderr))
        throw new AppError(400, 'not_a_directory', `${dir} is not a directory`);
      throw new AppError(500, 'list_failed', `Listing ${dir} on ${node} failed`, { details: r.stderr });
    }
    const types: Record<string, DirEntry['type']> = { f: 'file', d: 'dir', l: 'link' };
    return r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((line) => {
        const [type = '', size = '0', mtime = '0', ...name] = line.split('\t');
        return {
          name: name.join('\t'),
          type: types[type] ?? 'other',
          size: Number(size),
          mtime: new Date(Number(mtime) * 1000).toISOString(),
        };
      })
      .sort((a, b) =>
        (a.type === 'dir') !== (b.type === 'dir')
          ? a.type === 'dir'
            ? -1
            : 1
          : a.name.localeCompare(b.name),
      );
  }

  async readFile(env: EnvRef, node: NodeName, filePath: string): Promise<FileContent> {
    const file = await this.resolvePath(env, node, filePath);
    const container = this.docker.getContainer(await this.containerId(env, node));
    const stat = await this.stat(container, file, env, node);
    if (stat === undefined) throw new AppError(404, 'file_not_found', `${file} does not exist on ${node}`);
    if (isDir(stat.mode)) throw new AppError(400, 'is_a_directory', `${file} is a directory`);
    if (stat.size > MAX_FILE_BYTES) {
      throw new AppError(
        413,
        'file_too_large',
        `${file} is ${stat.size} bytes; the editor opens files up to ${MAX_FILE_BYTES}`,
      );
    }
    let archive: NodeJS.ReadableStream;
    try {
      archive = await container.getArchive({ path: file });
    } catch (err) {
      throw this.explain(err, env, node);
    }
    const content = await firstFileOfTar(archive, MAX_FILE_BYTES);
    return { path: file, content, mode: stat.mode & 0o7777, mtime: stat.mtime };
  }

  async writeFile(env: EnvRef, node: NodeName, filePath: string, content: Buffer): Promise<void> {
    const file = await this.resolvePath(env, node, filePath);
    if (content.length > MAX_FILE_BYTES) {
      throw new AppError(
        413,
        'file_too_large',
        `The file is ${content.length} bytes; the editor saves files up to ${MAX_FILE_BYTES}`,
      );
    }
    const container = this.docker.getContainer(await this.containerId(env, node));
    const dir = path.posix.dirname(file);
    const [existing, parent] = await Promise.all([
      this.stat(container, file, env, node),
      this.stat(container, dir, env, node),
    ]);
    if (parent === undefined || !isDir(parent.mode)) {
      throw new AppError(404, 'directory_not_found', `Directory ${dir} does not exist on ${node}`);
    }
    if (existing !== undefined && isDir(existing.mode))
      throw new AppError(400, 'is_a_directory', `${file} is a directory`);
    const mode = existing === undefined ? 0o644 : existing.mode & 0o7777;
    const tarball = await packTar([{ name: path.posix.basename(file), content, mode }]);
    try {
      await container.putArchive(tarball, { path: dir });
    } catch (err) {
      throw this.explain(err, env, node);
    }
  }

  /**
   * Checks a path, then follows symbolic links inside the server (`realpath -m`: the missing
   * last part of a file about to be created is fine) and checks where they lead: a link under
   * /root pointing at /etc or /opt/kafkalab must not open what the rules keep closed.
   */
  private async resolvePath(env: EnvRef, node: NodeName, p: string): Promise<string> {
    const asked = checkServerPath(p);
    const r = await this.exec(env, node, ['realpath', '-m', '--', asked], { timeoutMs: 5000 });
    const real = r.stdout.trim();
    if (r.exitCode !== 0 || real === '')
      throw new AppError(400, 'bad_path', `${asked} cannot be resolved on ${node}`, {
        details: r.stderr.trim(),
      });
    if (real === asked) return asked;
    try {
      return checkServerPath(real);
    } catch (err) {
      if (err instanceof AppError && err.reason === 'path_not_allowed')
        throw new AppError(
          403,
          'path_not_allowed',
          `${asked} leads to ${real}, outside the folders the editor may open`,
        );
      throw err;
    }
  }

  /** The engine's stat of a path (size, mode, mtime), or undefined when it does not exist. */
  private async stat(
    container: Docker.Container,
    file: string,
    env: EnvRef,
    node: NodeName,
  ): Promise<{ size: number; mode: number; mtime: string } | undefined> {
    try {
      // A HEAD request: the answer is the stat header, the body is empty.
      const res = (await container.infoArchive({ path: file })) as IncomingMessage;
      res.resume();
      const header = res.headers['x-docker-container-path-stat'];
      if (typeof header !== 'string') return undefined;
      return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as {
        size: number;
        mode: number;
        mtime: string;
      };
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 404 && (await this.containerExists(container))) return undefined;
      throw this.explain(err, env, node);
    }
  }

  private async containerExists(container: Docker.Container): Promise<boolean> {
    try {
      await container.inspect();
      return true;
    } catch {
      return false;
    }
  }

  /** Engine errors about a server, said in the student's terms. */
  private explain(err: unknown, env: EnvRef, node: NodeName): AppError {
    const envId = env.id;
    if (
      err instanceof AppError &&
      err.reason !== 'container_not_found' &&
      err.reason !== 'container_not_running'
    )
      return err;
    const e = err instanceof AppError ? err : engineError(err, this.containerName(envId, node));
    if (e.reason === 'container_not_found') {
      return new AppError(
        404,
        'env_not_found',
        `Environment ${envId} has no server ${node}: it does not exist (yet)`,
        { cause: err },
      );
    }
    if (e.reason === 'container_not_running') {
      return new AppError(
        409,
        'env_not_running',
        `Server ${node} of environment ${envId} is not running: start the environment first`,
        {
          cause: err,
        },
      );
    }
    return e;
  }
}

/** Whether a Go `os.FileMode` (the engine's stat) is a directory. */
function isDir(mode: number): boolean {
  // Go's ModeDir is the top bit of a uint32.
  return (mode & 0x80000000) !== 0;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.floor(Number.isFinite(n) ? n : lo)));
}
