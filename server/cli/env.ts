import { Command, Option } from 'commander';
import { bindNodes, type EnvInfo, type EnvMode, type EnvRef } from '../env/EnvironmentBackend.ts';
import { checkNode } from '../env/naming.ts';
import { clusterAgentOn } from '../cluster/ClusterAgent.ts';
import { AppError, messageOf } from '../errors.ts';
import { createRuntime, openStore, type Runtime } from '../main.ts';
import type { ClassroomStore, EnvTimesStore, StudentStore } from '../store/Store.ts';
import type { CliContext } from './main.ts';

/** `kafkalab env ...`: create, inspect and drive student environments from the shell. */
export function envCommands(ctx: CliContext): Command {
  const env = new Command('env').description('Create and manage student environments (bigdata01..03)');
  const runtime = async (): Promise<Runtime> => createRuntime(ctx.config(), ctx.progress);

  env
    .command('create')
    .description('Create the environment of an owner (or return the existing one) and wait until it is ready')
    .requiredOption('--owner <name>', 'the student the environment belongs to')
    .addOption(
      new Option('--mode <mode>', 'install: ZooKeeper only; ready: Kafka installed and running')
        .choices(['ready', 'install'])
        .default('ready'),
    )
    .action(async (opts: { owner: string; mode: EnvMode }) => {
      // The owner is a student of the store (made when new), so the web app finds this
      // environment when they sign in, under the store's id for them.
      const store = openStore(ctx.config());
      let student;
      try {
        student = store.studentNamed(opts.owner);
      } finally {
        store.close();
      }
      const rt = await runtime();
      const info = await rt.environments.create(
        { id: student.envId, owner: student.name, mode: opts.mode },
        ctx.progress,
      );
      ctx.out.write(`${formatEnv(info)}\n`);
    });

  env
    .command('ls')
    .description('List environments: owner (from the store), state, time since last use, time since stopped')
    .action(async () => {
      const rt = await runtime();
      const envs = await rt.environments.list();
      if (envs.length === 0) {
        ctx.out.write('no environments\n');
        return;
      }
      const store = openStore(ctx.config());
      try {
        ctx.out.write(envTable(envs, store, Date.now()));
      } finally {
        store.close();
      }
    });

  env
    .command('exec')
    .description(
      'Run a command on a server; its exit code becomes ours (kafkalab env exec alice bigdata01 -- jps)',
    )
    .argument('<name>', 'owner name or environment id')
    .argument('<node>', 'bigdata01, bigdata02 or bigdata03')
    .argument('<command...>', 'the command, after --')
    .option('--timeout <seconds>', 'kill the command after this long', '120')
    .action(async (name: string, node: string, command: string[], opts: { timeout: string }) => {
      const server = checkNode(node);
      const secs = Number(opts.timeout);
      if (!Number.isFinite(secs) || secs <= 0)
        throw new AppError(400, 'bad_request', `--timeout must be a positive number, got ${opts.timeout}`);
      const rt = await runtime();
      const id = await resolveEnvOf(ctx, rt, name);
      // A piped stdin is forwarded (`... -- bash -s < script.sh`); a terminal's is not read.
      const stdin = process.stdin.isTTY ? undefined : await readAll(process.stdin);
      const r = await rt.nodes.exec(id, server, command, {
        timeoutMs: secs * 1000,
        ...(stdin ? { stdin } : {}),
      });
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      if (r.timedOut) process.stderr.write(`kafkalab: the command was killed after ${secs} s\n`);
      process.exitCode = r.exitCode;
    });

  env
    .command('snapshot')
    .description('Print the cluster as the in-environment agent sees it (JSON)')
    .argument('<name>', 'owner name or environment id')
    .action(async (name: string) => {
      const rt = await runtime();
      const id = await resolveEnvOf(ctx, rt, name);
      const snap = await clusterAgentOn(bindNodes(rt.nodes, id))
        .snapshot({ timeoutMs: 25_000 })
        .catch((err: unknown) => {
          throw new AppError(502, 'agent_failed', `The agent failed: ${messageOf(err)}`, { cause: err });
        });
      ctx.out.write(`${JSON.stringify(snap, null, 2)}\n`);
    });

  for (const [verb, describe] of [
    ['stop', 'Stop the servers (memory freed, files kept)'],
    ['start', 'Start a stopped environment and wait until it is ready again'],
    ['rm', 'Remove the environment: servers, network, volumes'],
  ] as const) {
    env
      .command(verb)
      .description(describe)
      .argument('<name>', 'owner name or environment id')
      .action(async (name: string) => {
        const rt = await runtime();
        const id = await resolveEnvOf(ctx, rt, name);
        if (verb === 'stop') await rt.environments.stop(id);
        else if (verb === 'start')
          ctx.out.write(`${formatEnv(await rt.environments.start(id, ctx.progress))}\n`);
        else await rt.environments.remove(id);
        if (verb !== 'start') ctx.out.write(`${verb === 'rm' ? 'removed' : 'stopped'} ${id.id}\n`);
      });
  }
  return env;
}

/**
 * An environment id (as `env ls` shows it) or an owner name, as a ref to an existing environment
 * (404 when there is none). The operator at the shell may address anyone's environment; the ref
 * carries the owner Docker has, so the backend's owner check still holds.
 */
export async function resolveEnv(rt: Runtime, store: StudentStore, name: string): Promise<EnvRef> {
  const envs = await rt.environments.list();
  const byId = envs.find((e) => e.id === name);
  if (byId) return { id: byId.id, owner: byId.owner };
  let student;
  try {
    student = store.findStudent(name);
  } catch {
    student = undefined; // not a valid name either
  }
  const mine = student && envs.find((e) => e.id === student.envId && e.owner === student.name);
  if (mine) return { id: mine.id, owner: mine.owner };
  // Environments of owners the store does not know (the lab tester's `<as>-ready`).
  const labelled = envs.filter((e) => e.owner === name);
  if (labelled.length === 1 && labelled[0]) return { id: labelled[0].id, owner: labelled[0].owner };
  throw new AppError(404, 'env_not_found', `No environment for "${name}" (see kafkalab env ls)`);
}

/** `resolveEnv` with the configured store, opened and closed around it. */
export async function resolveEnvOf(ctx: CliContext, rt: Runtime, name: string): Promise<EnvRef> {
  const store = openStore(ctx.config());
  try {
    return await resolveEnv(rt, store, name);
  } finally {
    store.close();
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * `kafkalab env ls` as text: one line per environment. The owner comes from the store, since a
 * warm-pool environment a student took keeps its empty owner label; one no student has shows its
 * label, or `(pool)`. IDLE is the time since the owner last used it (the server writes that about
 * once a minute), STOPPED the time since it was stopped; `-` where there is none.
 */
export function envTable(
  envs: readonly EnvInfo[],
  store: Pick<ClassroomStore, 'userByEnvId'> & Pick<EnvTimesStore, 'envTimes'>,
  now: number,
): string {
  const since = (ms: number | null | undefined): string => (ms == null ? '-' : duration(now - ms));
  const lines = [
    `${'ID'.padEnd(32)} ${'OWNER'.padEnd(20)} ${'MODE'.padEnd(8)} ${'STATE'.padEnd(9)} ${'IDLE'.padEnd(7)} ${'STOPPED'.padEnd(7)} CREATED`,
  ];
  for (const e of envs) {
    const owner = store.userByEnvId(e.id)?.name ?? (e.owner === '' || e.pooled === true ? '(pool)' : e.owner);
    const times = store.envTimes(e.id);
    const stopped = e.state === 'stopped' ? since(times?.stoppedMs) : '-';
    lines.push(
      `${e.id.padEnd(32)} ${owner.padEnd(20)} ${e.mode.padEnd(8)} ${e.state.padEnd(9)} ${since(times?.activeMs).padEnd(7)} ${stopped.padEnd(7)} ${e.createdAt}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A time span as an operator reads it at a glance: 45s, 12m, 5h03m, 3d4h. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

function formatEnv(e: EnvInfo): string {
  return `${e.id.padEnd(32)} ${e.owner.padEnd(20)} ${e.mode.padEnd(8)} ${e.state.padEnd(9)} ${e.createdAt}`;
}
