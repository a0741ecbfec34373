import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.ts';

/**
 * The configuration table: every option Kafka Lab reads, with its environment variable, its
 * default and a description. Parsed once at start (defaults < config file < environment) and
 * passed around as a frozen value; nothing reads process.env for configuration elsewhere.
 */
const options = {
  port: {
    env: 'PORT',
    describe: 'HTTP port of the web server (0 picks a free port).',
    schema: z.coerce.number().int().min(0).max(65535),
    default: 3000,
  },
  host: {
    env: 'KAFKALAB_HOST',
    describe: 'Address the web server listens on.',
    schema: z.string().min(1),
    default: '0.0.0.0',
  },
  dataDir: {
    env: 'KAFKALAB_DATA_DIR',
    describe: 'Directory for logs, build caches and the store (relative paths: to the working directory).',
    schema: z.string().min(1),
    default: 'data',
  },
  prefix: {
    env: 'KAFKALAB_PREFIX',
    describe: 'Name prefix and label value for every Docker object Kafka Lab creates.',
    schema: z.string().regex(/^[a-z][a-z0-9-]{1,20}$/, 'lowercase letters, digits and dashes, 2-21 chars'),
    default: 'kafkalab',
  },
  baseImage: {
    env: 'KAFKALAB_BASE_IMAGE',
    describe: 'Debian bookworm base image; when it cannot be pulled, one is built with mmdebstrap.',
    schema: z.string().min(1),
    default: 'debian:bookworm-slim',
  },
  debianMirror: {
    env: 'KAFKALAB_DEBIAN_MIRROR',
    describe: "Debian mirror URL for mmdebstrap (empty: mmdebstrap's default).",
    schema: z.string(),
    default: '',
  },
  mavenRepo: {
    env: 'KAFKALAB_MAVEN_REPO',
    describe: "Maven repository URL for the Kafka jars (empty: Maven's configured default, Maven Central).",
    schema: z.string(),
    default: '',
  },
  imageRepo: {
    env: 'KAFKALAB_IMAGE_REPO',
    describe: 'Repository name of the server image (tags: input hash and latest).',
    schema: z.string().regex(/^[a-z0-9][a-z0-9._/-]*$/),
    default: 'kafkalab/node',
  },
  maxEnvironments: {
    env: 'KAFKALAB_MAX_ENVS',
    describe: 'How many student environments may exist at once.',
    schema: z.coerce.number().int().min(1),
    default: 8,
  },
  hostReserveMb: {
    env: 'KAFKALAB_HOST_RESERVE_MB',
    describe:
      'Host memory kept free for the server, Docker and the system; the rest, divided by the per-environment limit, is how many environments are admitted at once (with KAFKALAB_MAX_ENVS the smaller wins).',
    schema: z.coerce.number().int().min(0),
    default: 2048,
  },
  bootConcurrency: {
    env: 'KAFKALAB_BOOT_CONCURRENCY',
    describe: 'How many environments may boot at the same time (0: one per CPU core); the rest wait in line.',
    schema: z.coerce.number().int().min(0),
    default: 0,
  },
  idleStopSec: {
    env: 'KAFKALAB_IDLE_STOP',
    describe:
      'Seconds without activity (terminal input, API calls, a visible lab page) after which a student environment is stopped: files kept, memory freed, resumed on the next visit (0: never).',
    schema: z.coerce.number().int().min(0),
    default: 1800,
  },
  idleWarnSec: {
    env: 'KAFKALAB_IDLE_WARN',
    describe:
      'Seconds before an idle stop that the page warns with a countdown and a "keep working" button; less than KAFKALAB_IDLE_STOP.',
    schema: z.coerce.number().int().min(0),
    default: 300,
  },
  expireSec: {
    env: 'KAFKALAB_EXPIRE',
    describe:
      'Seconds a stopped environment is kept before it is removed (progress stays in the store; a fresh environment is made on return); 0: never.',
    schema: z.coerce.number().int().min(0),
    default: 14 * 24 * 3600,
  },
  metricsToken: {
    env: 'KAFKALAB_METRICS_TOKEN',
    describe:
      'Bearer token that /metrics requires; empty: /metrics answers only clients on this machine (loopback).',
    schema: z.string().max(200),
    default: '',
  },
  reaperIntervalSec: {
    env: 'KAFKALAB_REAPER_INTERVAL',
    describe:
      'Seconds between passes of the reaper, which removes Docker objects with our prefix that no student owns and marks students whose environment is gone (it also runs at start).',
    schema: z.coerce.number().int().min(10),
    default: 300,
  },
  reaperGraceSec: {
    env: 'KAFKALAB_REAPER_GRACE',
    describe:
      'Seconds an environment that no student owns (by the store) is left alone before the reaper removes it; warm-pool ones are never removed this way.',
    schema: z.coerce.number().int().min(0),
    default: 600,
  },
  envMemoryMb: {
    env: 'KAFKALAB_ENV_MEMORY_MB',
    describe: 'Memory limit of one environment in MiB, split evenly over its three servers.',
    schema: z.coerce.number().int().min(600),
    default: 2400,
  },
  envCpus: {
    env: 'KAFKALAB_ENV_CPUS',
    describe: 'CPU limit of each server container (fractions allowed).',
    schema: z.coerce.number().positive(),
    default: 1,
  },
  envPids: {
    env: 'KAFKALAB_ENV_PIDS',
    describe: 'Process/thread limit of each server container.',
    schema: z.coerce.number().int().min(64),
    default: 1024,
  },
  bootTimeoutSec: {
    env: 'KAFKALAB_BOOT_TIMEOUT',
    describe: 'Seconds an environment may take to become ready before creation fails.',
    schema: z.coerce.number().int().min(10),
    default: 180,
  },
  poolReady: {
    env: 'KAFKALAB_POOL_READY',
    describe:
      'Ready-mode environments kept booted in the warm pool, handed to arriving students at once (0: none; auto: 1 when the host holds 3 or more environments).',
    schema: z.union([z.literal('auto'), z.coerce.number().int().min(0)]),
    default: 'auto',
  },
  poolInstall: {
    env: 'KAFKALAB_POOL_INSTALL',
    describe:
      'Install-mode environments kept booted in the warm pool (0: none; auto: 1 when the host holds 6 or more environments).',
    schema: z.union([z.literal('auto'), z.coerce.number().int().min(0)]),
    default: 'auto',
  },
  allowedOrigins: {
    env: 'KAFKALAB_ALLOWED_ORIGINS',
    describe:
      "Comma-separated origins (e.g. https://lab.example.edu) besides the server's own whose pages may use the API and the terminal.",
    schema: z
      .union([z.string(), z.array(z.string())])
      .transform((v) =>
        (typeof v === 'string' ? v.split(',') : v).map((o) => o.trim()).filter((o) => o !== ''),
      )
      .pipe(
        z.array(
          z
            .string()
            .refine(
              (o) => originOf(o) !== undefined,
              'each entry must be an origin like https://lab.example.edu',
            )
            .transform((o) => originOf(o) as string),
        ),
      )
      .transform((list): readonly string[] => Object.freeze(list)),
    default: '',
  },
  auth: {
    env: 'KAFKALAB_AUTH',
    describe:
      'Sign-in mode: "accounts" (passwords, roles, classes) or "open" (anyone who types a name is that student; a trusted room or a demo only).',
    schema: z.enum(['accounts', 'open']),
    default: 'accounts',
  },
  publicUrl: {
    env: 'KAFKALAB_PUBLIC_URL',
    describe:
      'The address students open (e.g. https://lab.example.edu), for one-time links; https also marks the session cookie Secure. Empty: http://localhost:<port>.',
    schema: z
      .string()
      .refine((u) => u === '' || originOf(u) !== undefined, 'an origin like https://lab.example.edu')
      .transform((u) => (u === '' ? '' : (originOf(u) as string))),
    default: '',
  },
  trustProxy: {
    env: 'KAFKALAB_TRUST_PROXY',
    describe:
      'How many reverse proxies are in front of the server (their X-Forwarded-For then gives the address that sign-in limits count); 0: none.',
    schema: z.coerce.number().int().min(0).max(10),
    default: 0,
  },
  sessionTtlSec: {
    env: 'KAFKALAB_SESSION_TTL',
    describe: 'Seconds a sign-in lasts without being used (each use extends it).',
    schema: z.coerce.number().int().min(60),
    default: 14 * 24 * 3600,
  },
  logLevel: {
    env: 'KAFKALAB_LOG_LEVEL',
    describe: 'Server log level (fatal, error, warn, info, debug, trace, silent).',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
  },
} as const;

/**
 * The serialized origin of a bare `scheme://host[:port]` (host lower-cased, default port dropped),
 * or undefined for anything else: an allowed "origin" with a path or credentials would never match.
 */
function originOf(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const bare =
    url.pathname === '/' &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === '';
  return bare && (url.protocol === 'http:' || url.protocol === 'https:') ? url.origin : undefined;
}

type Options = typeof options;
/** The parsed configuration: one typed value per option. */
export type Config = { readonly [K in keyof Options]: z.infer<Options[K]['schema']> };

/** Option names, environment variables, defaults and descriptions, for `--help` and the README. */
export function describeOptions(): { key: string; env: string; default: unknown; describe: string }[] {
  return Object.entries(options).map(([key, o]) => ({
    key,
    env: o.env,
    default: o.default,
    describe: o.describe,
  }));
}

/**
 * Builds the configuration from defaults, an optional JSON file (`KAFKALAB_CONFIG`, or
 * `kafkalab.config.json` in the working directory) and the environment. Every bad value is
 * reported at once, naming where it came from.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const fileValues = readConfigFile(env, cwd);
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, o] of Object.entries(options)) {
    const fromEnv = env[o.env];
    const fromFile = fileValues.values[key];
    const [raw, source] =
      fromEnv !== undefined && fromEnv !== ''
        ? [fromEnv, `environment variable ${o.env}`]
        : fromFile !== undefined
          ? [fromFile, `"${key}" in ${fileValues.file}`]
          : [o.default, `default of ${key}`];
    const parsed = (o.schema as z.ZodType).safeParse(raw);
    if (parsed.success) out[key] = parsed.data;
    else problems.push(`${source}: ${JSON.stringify(raw)} is invalid (${parsed.error.issues[0]?.message})`);
  }
  for (const key of Object.keys(fileValues.values)) {
    if (!(key in options)) problems.push(`unknown option "${key}" in ${fileValues.file}`);
  }
  if (problems.length > 0) {
    throw new AppError(400, 'bad_config', 'Invalid configuration', { details: problems.join('\n') });
  }
  out.dataDir = path.resolve(cwd, out.dataDir as string);
  return Object.freeze(out) as Config;
}

function readConfigFile(
  env: NodeJS.ProcessEnv,
  cwd: string,
): { file: string; values: Record<string, unknown> } {
  const explicit = env.KAFKALAB_CONFIG;
  const file = path.resolve(cwd, explicit ?? 'kafkalab.config.json');
  if (!existsSync(file)) {
    if (explicit !== undefined) {
      throw new AppError(400, 'bad_config', `Config file ${explicit} (KAFKALAB_CONFIG) does not exist`);
    }
    return { file, values: {} };
  }
  let values: unknown;
  try {
    values = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppError(400, 'bad_config', `Config file ${file} is not valid JSON`, { cause: err });
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new AppError(400, 'bad_config', `Config file ${file} must hold a JSON object`);
  }
  return { file: path.basename(file), values: values as Record<string, unknown> };
}

/** Data-directory layout, so every module agrees where logs, caches and state live. */
export function dataPaths(config: Config): { logs: string; cache: string; store: string } {
  return {
    logs: path.join(config.dataDir, 'logs'),
    cache: path.join(config.dataDir, 'cache'),
    store: path.join(config.dataDir, 'kafkalab.sqlite'),
  };
}
