import type Docker from 'dockerode';
import { demuxLogs } from '../docker/exec.ts';
import { AppError, messageOf } from '../errors.ts';
import type { Logger } from '../log.ts';
import { silentProgress, type Progress } from '../progress.ts';
import type { DockerNodeAccess } from './DockerNodeAccess.ts';
import {
  NODES,
  POOL_OWNER,
  type ClaimedBy,
  type EnvInfo,
  type EnvironmentBackend,
  type EnvMode,
  type EnvRef,
  type EnvRemains,
  type EnvSpec,
  type EnvState,
  type NodeName,
  type ReconcileReport,
} from './EnvironmentBackend.ts';
import { packTar } from './files.ts';
import { generateSshKeyPair } from './keys.ts';
import { LABELS, ownerOfLabels } from './labels.ts';
import { isEnvId, names, normalizeName } from './naming.ts';
import { Readiness } from './readiness.ts';

/** Settings of the Docker backend (from the configuration table). */
export interface DockerBackendOptions {
  readonly docker: Docker;
  readonly access: DockerNodeAccess;
  readonly log: Logger;
  /** Name prefix and label value of everything created. */
  readonly prefix: string;
  /** Server image, e.g. kafkalab/node:latest (pinned to its id at creation). */
  readonly image: string;
  /** Memory of one environment, split evenly over its servers. */
  readonly memoryMb: number;
  readonly cpus: number;
  readonly pids: number;
  readonly bootTimeoutMs: number;
  readonly maxEnvironments: number;
  /** The install solution (labs/install/solve.sh), which is how `ready` environments are made. */
  readonly installScript: () => string;
  /** Who claimed a warm-pool environment (the store); without it pooled ones stay unclaimed. */
  readonly claimedBy?: ClaimedBy;
}

/** Marker written when provisioning finished; reconcile removes environments without it. */
const PROVISIONED = '/opt/kafkalab/state/provisioned';
/** docker stop's grace period: the entrypoint stops the broker, then ZooKeeper. */
const STOP_SECONDS = 25;

/**
 * Only what sshd (privilege separation, port 22), root's file handling and ping need. Docker's
 * default set minus MKNOD, SETPCAP and SETFCAP; the container is not privileged and has
 * no-new-privileges.
 */
const CAPABILITIES = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'SETGID',
  'SETUID',
  'NET_BIND_SERVICE',
  'NET_RAW',
  'SYS_CHROOT',
  'AUDIT_WRITE',
];

/**
 * Environments as Docker objects: one internal network and three containers (bigdata01..03)
 * per environment, found by deterministic names and labels. Docker is the source of truth, so a
 * restarted server sees what exists without a database.
 */
export class DockerBackend implements EnvironmentBackend {
  private readonly creating = new Map<string, Promise<EnvInfo>>();
  private readonly removing = new Map<string, Promise<void>>();
  /** Environments admitted but perhaps not yet visible in Docker (see `admit`). */
  private readonly admitted = new Set<string>();
  private readonly readiness: Readiness;

  constructor(private readonly opts: DockerBackendOptions) {
    this.readiness = new Readiness(opts.access);
  }

  create(spec: EnvSpec, progress: Progress = silentProgress): Promise<EnvInfo> {
    const ref = checkRef(spec);
    const pending = this.creating.get(ref.id);
    if (pending) return pending;
    const run = this.createOrReuse(ref, spec.mode, progress)
      .finally(() => this.creating.delete(ref.id))
      .then(() => this.require(ref));
    this.creating.set(ref.id, run);
    return run;
  }

  async status(env: EnvRef): Promise<EnvInfo | undefined> {
    return this.inspect(env, true);
  }

  /**
   * The environment as Docker has it; `creating` only when asked to account for creations. Its
   * containers must carry the ref's owner: anything else is someone else's and is refused.
   */
  private async inspect(env: EnvRef, reportCreating: boolean): Promise<EnvInfo | undefined> {
    const containers = await this.containersOf(env.id);
    if (containers.length === 0) return undefined;
    const foreign = containers.find((c) => this.ownerOf(c) !== env.owner);
    if (foreign) {
      this.opts.log.error(
        { envId: env.id, owner: env.owner, labelled: this.ownerOf(foreign) },
        'environment id asked for by another owner',
      );
      throw notYours(env);
    }
    return this.describe(env.id, containers, reportCreating);
  }

  /**
   * Whose a container is: its owner label, or for a warm-pool one (labelled pooled and with the
   * pool's owner) whoever the store says claimed it.
   */
  private ownerOf(c: Docker.ContainerInfo): string {
    return ownerOfLabels(c.Labels, this.opts.claimedBy);
  }

  private async containersOf(envId: string): Promise<Docker.ContainerInfo[]> {
    const filters = JSON.stringify({
      label: [`${LABELS.prefix}=${this.opts.prefix}`, `${LABELS.env}=${envId}`],
    });
    return this.opts.docker.listContainers({ all: true, filters });
  }

  async list(): Promise<EnvInfo[]> {
    const filters = JSON.stringify({ label: [`${LABELS.prefix}=${this.opts.prefix}`] });
    const containers = await this.opts.docker.listContainers({ all: true, filters });
    const byEnv = new Map<string, Docker.ContainerInfo[]>();
    for (const c of containers) {
      const env = c.Labels[LABELS.env];
      if (env !== undefined) byEnv.set(env, [...(byEnv.get(env) ?? []), c]);
    }
    return [...byEnv.entries()]
      .map(([id, cs]) => this.describe(id, cs))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async stop(ref: EnvRef): Promise<void> {
    const env = await this.require(ref);
    // Brokers one at a time, each waiting for its exit: stopping all three at once makes every
    // controlled shutdown wait on the others, and a broker still running when ZooKeeper stops
    // leaves a registration behind that blocks its next start. KRaft controllers (the kraft
    // lab's) after all brokers, which need their quorum to shut down.
    const running = env.nodes.filter((n) => n.state === 'running');
    for (const node of running) {
      await this.opts.access
        .exec(ref, node.name, ['/opt/kafkalab/bin/stop-broker', '30', 'brokers'], { timeoutMs: 40_000 })
        .catch(() => undefined);
    }
    await Promise.all(
      running.map((node) =>
        this.opts.access
          .exec(ref, node.name, ['/opt/kafkalab/bin/stop-broker', '30'], { timeoutMs: 40_000 })
          .catch(() => undefined),
      ),
    );
    await Promise.all(
      env.nodes.map((n) =>
        this.opts.docker
          .getContainer(n.containerId)
          .stop({ t: STOP_SECONDS })
          .catch((err: unknown) => ignoreStatus(err, [304, 404])),
      ),
    );
  }

  async start(ref: EnvRef, progress: Progress = silentProgress): Promise<EnvInfo> {
    const env = await this.require(ref);
    const deadline = Date.now() + this.opts.bootTimeoutMs;
    progress({ phase: 'servers', message: 'starting bigdata01..03' });
    await Promise.all(
      env.nodes.map((n) =>
        this.opts.docker
          .getContainer(n.containerId)
          .start()
          .catch((err: unknown) => ignoreStatus(err, [304])),
      ),
    );
    try {
      await this.readiness.zookeeperQuorum(ref, deadline, progress);
      const brokers = await this.readiness.brokersThatRanBefore(ref);
      if (brokers > 0) await this.readiness.kafka(ref, brokers, deadline, progress);
    } catch (err) {
      throw await this.withDiagnostics(ref.id, err);
    }
    progress({ phase: 'ready', message: 'environment ready' });
    return this.require(ref);
  }

  async remove(ref: EnvRef): Promise<void> {
    // Checks the owner first (someone else's environment is not removed), then removes.
    await this.inspect(ref, false);
    return this.removeById(ref.id);
  }

  /**
   * Removal by id, for the owner-checked `remove` and for reconcile. Concurrent removals of one
   * environment share one run: two at once would race, the second finding containers the first
   * is still removing and failing on the network ("has active endpoints").
   */
  private removeById(envId: string): Promise<void> {
    const pending = this.removing.get(envId);
    if (pending) return pending;
    const run = this.removeNow(envId).finally(() => this.removing.delete(envId));
    this.removing.set(envId, run);
    return run;
  }

  private async removeNow(envId: string): Promise<void> {
    const { docker, prefix } = this.opts;
    const filters = JSON.stringify({ label: [`${LABELS.prefix}=${prefix}`, `${LABELS.env}=${envId}`] });
    const containers = await docker.listContainers({ all: true, filters });
    await Promise.all(
      containers.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch((err: unknown) => ignoreStatus(err, [404, 409])),
      ),
    );
    for (const n of await docker.listNetworks({ filters })) {
      await docker
        .getNetwork(n.Id)
        .remove()
        .catch((err: unknown) => ignoreStatus(err, [404]));
    }
    const { Volumes } = await docker.listVolumes({ filters });
    for (const v of Volumes ?? []) {
      await docker
        .getVolume(v.Name)
        .remove()
        .catch((err: unknown) => ignoreStatus(err, [404]));
    }
  }

  async reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { adopted: [], removed: [] };
    // Busy ids are this process's own work; whatever else is not whole was left by a crash
    // (half-created, or a network or volumes whose containers are gone).
    for (const env of await this.survey()) {
      if (env.stage === 'complete') report.adopted.push(env.id);
      else if (env.stage === 'partial') {
        this.opts.log.warn({ envId: env.id }, 'removing a half-created environment');
        if (await this.discard(env.id)) report.removed.push(env.id);
      }
    }
    return report;
  }

  async survey(): Promise<EnvRemains[]> {
    // Busy before or after the listing: a creation that ends while we list is still judged as
    // busy, not as the half-made thing the listing caught mid-way.
    const busyBefore = this.busyIds();
    const { docker, prefix } = this.opts;
    const filters = JSON.stringify({ label: [`${LABELS.prefix}=${prefix}`] });
    const [containers, networks, volumes] = await Promise.all([
      docker.listContainers({ all: true, filters }),
      docker.listNetworks({ filters }),
      docker.listVolumes({ filters }),
    ]);
    const found = new Map<string, { containers: Docker.ContainerInfo[]; newest: number; pooled: boolean }>();
    const note = (
      labels: Record<string, string> | null | undefined,
      createdMs: number,
    ): string | undefined => {
      const id = labels?.[LABELS.env];
      if (id === undefined) return undefined;
      const f = found.get(id) ?? { containers: [], newest: 0, pooled: false };
      f.newest = Math.max(f.newest, Number.isFinite(createdMs) ? createdMs : 0);
      f.pooled ||= labels?.[LABELS.pool] !== undefined;
      found.set(id, f);
      return id;
    };
    for (const c of containers) {
      const id = note(c.Labels, c.Created * 1000);
      if (id !== undefined) found.get(id)?.containers.push(c);
    }
    for (const n of networks) note(n.Labels, Date.parse(n.Created));
    // The engine sends CreatedAt; dockerode's type lacks it.
    for (const v of volumes.Volumes ?? [])
      note(v.Labels, Date.parse((v as { CreatedAt?: string }).CreatedAt ?? ''));

    const remains: EnvRemains[] = [];
    for (const [id, f] of found) {
      const first = f.containers.find((c) => c.Labels[LABELS.node] === 'bigdata01');
      const whole =
        f.containers.length === NODES.length && first !== undefined && (await this.hasMarker(first.Id));
      remains.push({
        id,
        stage: whole ? 'complete' : 'partial',
        pooled: f.pooled,
        createdAt: new Date(f.newest).toISOString(),
      });
    }
    const busy = new Set([...busyBefore, ...this.busyIds()]);
    const now = new Date().toISOString();
    for (const id of busy)
      if (!found.has(id)) remains.push({ id, stage: 'busy', pooled: false, createdAt: now });
    return remains
      .map((r) => (busy.has(r.id) ? { ...r, stage: 'busy' as const } : r))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Whether provisioning finished in this container. Only the engine's "no such file" is a no:
   * any other error (a busy engine) fails the survey, since a no would have a student's whole
   * environment taken for a half-created one and removed.
   */
  private async hasMarker(containerId: string): Promise<boolean> {
    try {
      const res = (await this.opts.docker
        .getContainer(containerId)
        .infoArchive({ path: PROVISIONED })) as NodeJS.ReadableStream & { resume(): void };
      res.resume();
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      throw err;
    }
  }

  /** Ids this process is creating, resuming or removing right now. */
  private busyIds(): string[] {
    return [...this.creating.keys(), ...this.removing.keys()];
  }

  async discard(envId: string): Promise<boolean> {
    if (this.creating.has(envId)) return false;
    await this.removeById(envId);
    return true;
  }

  private async createOrReuse(ref: EnvRef, mode: EnvMode, progress: Progress): Promise<void> {
    const { id, owner } = ref;
    // Our own entry in `creating` is this very call: look at what Docker has.
    const existing = await this.inspect(ref, false);
    if (existing?.state === 'running') return;
    if (existing?.state === 'stopped') {
      // A resume takes memory again: it needs a place as a creation does.
      await this.admit(id);
      try {
        await this.start(ref, progress);
      } finally {
        this.admitted.delete(id);
      }
      return;
    }
    if (existing !== undefined) await this.removeById(id);

    await this.admit(id);
    const log = this.opts.log.child({ envId: id, owner });
    const started = Date.now();
    try {
      await this.provision(ref, mode, progress);
    } catch (err) {
      const failure = await this.withDiagnostics(id, err);
      log.error({ err: failure }, 'environment creation failed; removing it');
      await this.removeById(id).catch((e: unknown) => log.error({ err: e }, 'cleanup failed'));
      throw failure;
    } finally {
      this.admitted.delete(id);
    }
    log.info({ ms: Date.now() - started, mode }, 'environment ready');
    progress({
      phase: 'ready',
      message: `environment ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    });
  }

  /**
   * The last-resort capacity check (the server's Admission queues students before this): counts
   * what takes memory, as Admission does (every environment Docker has except stopped ones, plus
   * what was admitted and is not visible yet), and takes a place. The count and the reservation
   * happen in one synchronous step after the only await, so concurrent creations cannot all see
   * the same free place (JavaScript runs one at a time).
   */
  private async admit(id: string): Promise<void> {
    const listed = await this.list();
    const active = listed.filter((e) => e.state !== 'stopped').map((e) => e.id);
    const taken = new Set([...active, ...this.admitted]);
    taken.delete(id);
    if (taken.size >= this.opts.maxEnvironments) {
      throw new AppError(
        503,
        'capacity_full',
        `All ${this.opts.maxEnvironments} environments are in use; try again later`,
        {
          details: 'An operator can raise KAFKALAB_MAX_ENVS, or stop or remove idle environments.',
        },
      );
    }
    this.admitted.add(id);
  }

  private async provision(ref: EnvRef, mode: EnvMode, progress: Progress): Promise<void> {
    const { id, owner } = ref;
    const { docker, prefix } = this.opts;
    const deadline = Date.now() + this.opts.bootTimeoutMs;
    const n = names(prefix, id);
    const labels = {
      [LABELS.prefix]: prefix,
      [LABELS.env]: id,
      [LABELS.owner]: owner,
      [LABELS.mode]: mode,
      ...(owner === POOL_OWNER ? { [LABELS.pool]: mode } : {}),
    };
    const imageId = await this.imageId();

    progress({ phase: 'network', message: `creating network ${n.network}` });
    // internal: the engine forwards nothing in or out, and names resolve only inside. With
    // inhibit_ipv4 the bridge has no address either, so the servers cannot reach the host
    // (the web server, the engine) through the gateway.
    await docker.createNetwork({
      Name: n.network,
      Internal: true,
      CheckDuplicate: true,
      Labels: labels,
      Options: { 'com.docker.network.bridge.inhibit_ipv4': 'true' },
    });

    progress({ phase: 'servers', message: 'creating bigdata01..03' });
    const seed = await this.seedFiles(id);
    const perNodeMemory = Math.floor((this.opts.memoryMb * 2 ** 20) / NODES.length);
    const containers = await Promise.all(
      NODES.map(async (node, i) => {
        const container = await docker.createContainer({
          name: n.container(node),
          Image: imageId,
          Hostname: node,
          Env: [`KAFKALAB_ZK_MYID=${i + 1}`, `KAFKALAB_ZK_SERVERS=${NODES.join(',')}`],
          Labels: { ...labels, [LABELS.node]: node },
          StopTimeout: STOP_SECONDS,
          HostConfig: {
            NetworkMode: n.network,
            Memory: perNodeMemory,
            MemorySwap: perNodeMemory,
            NanoCpus: Math.round(this.opts.cpus * 1e9),
            PidsLimit: this.opts.pids,
            CapDrop: ['ALL'],
            CapAdd: CAPABILITIES,
            SecurityOpt: ['no-new-privileges'],
            // The embedded DNS answers for bigdata01..03 and drops every other name on an
            // internal network; without these a mistyped host name hangs for 20 s.
            DnsOptions: ['timeout:1', 'attempts:1'],
            Privileged: false,
            LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } },
          },
          NetworkingConfig: { EndpointsConfig: { [n.network]: { Aliases: [node] } } },
        });
        await container.putArchive(seed, { path: '/' });
        return container;
      }),
    );
    progress({ phase: 'servers', message: 'starting bigdata01..03' });
    await Promise.all(containers.map((c) => c.start()));

    await this.readiness.zookeeperQuorum(ref, deadline, progress);
    if (mode === 'ready') {
      progress({
        phase: 'install',
        message: 'installing Kafka on bigdata01..03 (the install lab’s solution)',
      });
      await this.readiness
        .runScript(ref, 'bigdata01', this.opts.installScript(), deadline, 'install script')
        .catch(async (err: unknown) => {
          throw err instanceof AppError ? await this.readiness.explainInstallFailure(ref, err) : err;
        });
      await this.readiness.kafka(ref, NODES.length, deadline, progress);
    }
    await containers[0]?.putArchive(
      await packTar([
        {
          name: PROVISIONED.slice(1),
          content: JSON.stringify({ mode, at: new Date().toISOString() }),
          mode: 0o644,
        },
      ]),
      { path: '/' },
    );
  }

  /** Per-environment SSH identity: root's key pair on every server, one host key for all three. */
  private async seedFiles(id: string): Promise<Buffer> {
    const user = generateSshKeyPair(`root@${id}`);
    const host = generateSshKeyPair(`${id}-host`);
    return packTar([
      { name: 'root/.ssh', type: 'directory', mode: 0o700 },
      { name: 'root/.ssh/id_ecdsa', content: user.privateKey, mode: 0o600 },
      { name: 'root/.ssh/id_ecdsa.pub', content: `${user.publicKey}\n`, mode: 0o644 },
      { name: 'root/.ssh/authorized_keys', content: `${user.publicKey}\n`, mode: 0o600 },
      { name: 'root/.ssh/known_hosts', content: `${NODES.join(',')} ${host.publicKey}\n`, mode: 0o644 },
      { name: 'etc/ssh/ssh_host_ecdsa_key', content: host.privateKey, mode: 0o600 },
      { name: 'etc/ssh/ssh_host_ecdsa_key.pub', content: `${host.publicKey}\n`, mode: 0o644 },
    ]);
  }

  private async imageId(): Promise<string> {
    try {
      return (await this.opts.docker.getImage(this.opts.image).inspect()).Id;
    } catch (err) {
      throw new AppError(503, 'image_missing', `The server image ${this.opts.image} is not present`, {
        cause: err,
        details: 'Build it with `npm run images`.',
      });
    }
  }

  private async require(ref: EnvRef): Promise<EnvInfo> {
    const env = await this.status(ref);
    if (env === undefined) throw new AppError(404, 'env_not_found', `There is no environment ${ref.id}`);
    return env;
  }

  private describe(id: string, containers: Docker.ContainerInfo[], reportCreating = true): EnvInfo {
    const first = containers[0];
    const nodes = containers
      .map((c) => ({ name: c.Labels[LABELS.node] as NodeName, containerId: c.Id, state: c.State }))
      .sort((a, b) => a.name.localeCompare(b.name));
    let state: EnvState;
    if (reportCreating && this.creating.has(id)) state = 'creating';
    else if (nodes.length === NODES.length && nodes.every((x) => x.state === 'running')) state = 'running';
    else if (
      nodes.length === NODES.length &&
      nodes.every((x) => x.state === 'exited' || x.state === 'created')
    )
      state = 'stopped';
    else state = 'broken';
    return {
      id,
      owner: first === undefined ? '' : this.ownerOf(first),
      mode: (first?.Labels[LABELS.mode] ?? 'ready') as EnvMode,
      state,
      nodes,
      createdAt: new Date((first?.Created ?? 0) * 1000).toISOString(),
      ...(first?.Labels[LABELS.pool] === undefined ? {} : { pooled: true }),
    };
  }

  /** Adds what the student or operator needs to see why boot failed: server logs. */
  private async withDiagnostics(envId: string, err: unknown): Promise<AppError> {
    const base =
      err instanceof AppError ? err : new AppError(500, 'env_create_failed', messageOf(err), { cause: err });
    const parts: string[] = base.details === undefined ? [] : [base.details];
    for (const node of NODES) {
      try {
        const logs = await this.opts.docker
          .getContainer(names(this.opts.prefix, envId).container(node))
          .logs({ stdout: true, stderr: true, tail: 8 });
        parts.push(`--- ${node}: container log ---\n${demuxLogs(logs).trimEnd()}`);
      } catch {
        // The container may not exist (failure before creation); nothing to show.
      }
    }
    return new AppError(base.status, base.reason, base.message, {
      cause: base.cause ?? err,
      details: parts.join('\n'),
    });
  }
}

/**
 * A ref whose id has the shape of an environment id and whose owner is a normalised name (or the
 * warm pool's, for an environment booted ahead of time).
 */
function checkRef(ref: EnvRef): EnvRef {
  if (!isEnvId(ref.id))
    throw new AppError(400, 'bad_request', `Not an environment id: ${JSON.stringify(ref.id)}`);
  return { id: ref.id, owner: ref.owner === POOL_OWNER ? POOL_OWNER : normalizeName(ref.owner) };
}

function notYours(env: EnvRef): AppError {
  return new AppError(403, 'not_your_environment', `Environment ${env.id} belongs to someone else`);
}

function ignoreStatus(err: unknown, statuses: number[]): void {
  const status = (err as { statusCode?: number }).statusCode;
  if (status === undefined || !statuses.includes(status)) throw err;
}
