import DockerClient from 'dockerode';
import type Docker from 'dockerode';
import { dataPaths, type Config } from './config.ts';
import { ensureEngine } from './docker/engine.ts';
import { healthProbe } from './health.ts';
import { installLastResort } from './http/lastResort.ts';
import { createApp, type App } from './http/app.ts';
import { buildImages } from './images/images.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Admission, checkAdmissionConfig, hostFacts } from './env/Admission.ts';
import { checkIdleConfig, IdleCuller } from './env/IdleCuller.ts';
import { DockerBackend, type DockerBackendOptions } from './env/DockerBackend.ts';
import { planPool, WarmPool } from './env/WarmPool.ts';
import { Reaper, reaperPolicy } from './env/Reaper.ts';
import { DockerNodeAccess } from './env/DockerNodeAccess.ts';
import type { EnvironmentBackend, NodeAccess } from './env/EnvironmentBackend.ts';
import { createFileLogger, createLogger, type Logger } from './log.ts';
import { projectPaths } from './paths.ts';
import { checkTypes } from './checks/registry.ts';
import { adoptLegacyEnvironments } from './env/adopt.ts';
import { LiveCourse } from './labs/LiveCourse.ts';
import { Accounts } from './auth/Accounts.ts';
import type { OneTimeLink } from './http/apiTypes.ts';
import { SqliteStore } from './store/Store.ts';
import { createEnvServices } from './services.ts';
import { ensureWebBuild } from './webBuild.ts';
import type { Progress } from './progress.ts';

/**
 * The composition root: the only place that constructs real external clients (Docker engine,
 * later the store) and wires them into the app and the CLI commands.
 */
export interface Runtime {
  readonly config: Config;
  readonly docker: Docker;
  readonly log: Logger;
  readonly environments: EnvironmentBackend;
  readonly nodes: NodeAccess;
}

/** Connects to (or bootstraps) the Docker engine and builds the environment engine on it. */
export async function createRuntime(
  config: Config,
  progress: Progress,
  log?: Logger,
  overrides: Partial<DockerBackendOptions> = {},
): Promise<Runtime> {
  const docker = await ensureEngine({ logDir: dataPaths(config).logs, progress });
  const logger = log ?? createFileLogger(config, 'kafkalab');
  const { backend, access } = createEnvironments(config, docker, logger, overrides);
  return { config, docker, log: logger, environments: backend, nodes: access };
}

/** The Docker environment engine for a configuration. */
export function createEnvironments(
  config: Config,
  docker: Docker,
  log: Logger,
  overrides: Partial<DockerBackendOptions> = {},
): { backend: DockerBackend; access: DockerNodeAccess } {
  const access = new DockerNodeAccess(docker, config.prefix, overrides.claimedBy);
  const backend = new DockerBackend({
    docker,
    access,
    log,
    prefix: config.prefix,
    image: `${config.imageRepo}:latest`,
    memoryMb: config.envMemoryMb,
    cpus: config.envCpus,
    pids: config.envPids,
    bootTimeoutMs: config.bootTimeoutSec * 1000,
    maxEnvironments: config.maxEnvironments,
    installScript: () => readFileSync(path.join(projectPaths.labs, 'install', 'solve.sh'), 'utf8'),
    ...overrides,
  });
  return { backend, access };
}

/** Starts the web server: engine, images (built when missing), store, course, app. Resolves once listening. */
export async function serve(
  config: Config,
  progress: Progress,
): Promise<{ app: App; url: string; setupLink: OneTimeLink | undefined }> {
  const log = createLogger(config);
  // Options that leave room for no environment are refused before anything starts.
  const plan = checkAdmissionConfig(config, hostFacts());
  const idle = checkIdleConfig(config);
  const poolTargets = planPool(config, plan.capacity);
  // Under a supervisor a crash would restart the server; even so, one bad request or a stray
  // rejection must not end every student's session: log it and keep serving.
  installLastResort(log);
  const store = openStore(config);
  // Whose a warm-pool environment is, once taken, only the store knows (labels cannot change).
  const runtime = await createRuntime(config, progress, log, {
    claimedBy: (envId) => store.userByEnvId(envId)?.name,
  });
  await buildImages({ docker: runtime.docker, config, progress });
  // Authors edit labs while the server runs: students keep the last good version of each lab.
  const course = new LiveCourse(projectPaths.labs, checkTypes, log);
  for (const p of course.latest().problems)
    log.warn({ file: p.file, line: p.line }, `lab problem: ${p.message}`);
  course.onChange(({ version, problems }) => {
    log.info({ version, problems: problems.length }, 'labs reloaded');
    for (const p of problems) log.warn({ file: p.file, line: p.line }, `lab problem: ${p.message}`);
  });
  course.start();
  await ensureWebBuild(progress);
  let base = config.publicUrl;
  const accounts = new Accounts(store, { mode: config.auth, baseUrl: () => base });
  const adopted = await adoptLegacyEnvironments(runtime.environments, store, log);
  if (adopted.length > 0) log.info({ adopted }, 'environments of an earlier version adopted');
  const admission = new Admission(plan);
  const pool = new WarmPool({
    backend: runtime.environments,
    admission,
    log: log.child({ component: 'pool' }),
    targets: poolTargets,
  });
  const reaper = new Reaper({
    backend: runtime.environments,
    store,
    log,
    policy: reaperPolicy(config),
    holds: (envId) => pool.holds(envId),
    onMissing: (envId) => {
      const student = store.userByEnvId(envId);
      if (student !== undefined) void envs.setNotice({ name: student.name, envId }, 'missing');
    },
  });
  const { envs, terminals, grading } = createEnvServices(runtime.environments, runtime.nodes, store, log, {
    admission,
    claims: { pool, move: (owner, from, to) => store.moveEnvId(owner, from, to) },
    // What Kafka Lab stops or removes itself is not news when the reaper finds it gone.
    onRemoved: (envId) => reaper.forget(envId),
  });
  // Idle environments are stopped (files kept) and long-stopped ones removed; the app feeds it.
  const culler = new IdleCuller({
    envs,
    environments: runtime.environments,
    store,
    log: log.child({ component: 'idle' }),
    policy: idle,
  });
  const culling = culler.start();
  // Before anything is counted or booted: orphans and half-created ones of an earlier run go
  // (the reaper's first pass does all of what the backend's start-up reconcile did, once).
  log.info(await reaper.pass(), 'reaped environments at start');
  const reaping = reaper.start();
  // What runs already (adopted above) holds places: a restart admits no more than fit.
  const running = await envs.countRunning();
  log.info(
    { ...plan, running, pool: poolTargets },
    `admitting ${plan.capacity} environments, ${plan.bootConcurrency} booting at once; ` +
      `warm pool: ${poolTargets.ready} ready, ${poolTargets.install} install`,
  );
  // Leftovers of an earlier run go before anyone can arrive; the pool's boots then run in the
  // background, behind any student.
  await pool.start().catch((err: unknown) => log.error({ err }, 'the warm pool could not start'));
  const app = createApp({
    log,
    health: healthProbe(runtime.docker, config, store),
    store,
    course: () => course.current(),
    authoring: {
      dir: projectPaths.labs,
      latest: () => course.latest(),
      current: () => course.current(),
      onChange: (l) => course.onChange(l),
    },
    accounts,
    session: { ttlMs: config.sessionTtlSec * 1000, secure: config.publicUrl.startsWith('https:') },
    envs,
    terminals,
    grading,
    allowedOrigins: config.allowedOrigins,
    trustProxy: config.trustProxy > 0 ? config.trustProxy : false,
    webDist: projectPaths.webDist,
    activity: culler,
    metrics: {
      token: config.metricsToken,
      environments: runtime.environments,
      queueLength: () => admission.stats().queued,
      poolSize: () => pool.size(),
    },
  });
  await new Promise<void>((resolve, reject) => {
    app.server.once('error', reject);
    app.server.listen(config.port, config.host, () => resolve());
  });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${shown}:${port}/`;
  if (base === '') base = url;
  const dispose = async (): Promise<void> => {
    culling.dispose();
    reaping.dispose();
    pool.dispose();
    course.dispose();
    await app.dispose();
    store.close();
  };
  // A fresh install has no admin: a one-time link (an hour, one use) creates the first one.
  return { app: { ...app, dispose }, url, setupLink: accounts.setupLink() };
}

/** The store in the data directory (migrated to the current schema on open). */
export function openStore(config: Config): SqliteStore {
  return new SqliteStore(dataPaths(config).store, { sessionTtlMs: config.sessionTtlSec * 1000 });
}

/** A client for the engine as configured (DOCKER_HOST or the default socket), without bootstrapping it. */
export function connectDocker(): Docker {
  return new DockerClient();
}
