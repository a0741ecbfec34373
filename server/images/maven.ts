import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';

/** Where and how Maven resolves. */
export interface MavenOptions {
  /** The pom whose runtime dependencies are wanted. */
  readonly pom: string;
  /** Local repository cache, kept between builds. */
  readonly localRepo: string;
  /** Target directory for the jars. */
  readonly outDir: string;
  /** Optional remote repository URL that replaces Maven's default (a mirror of everything). */
  readonly remoteRepo?: string;
  /** Called with each line of Maven's output. */
  readonly onLine?: (line: string) => void;
}

/**
 * Copies the pom's runtime dependency closure into `outDir` with `mvn dependency:copy-dependencies`.
 * When Maven fails, the error names the artifacts it could not resolve and the repository it tried.
 */
export async function resolveJars(opts: MavenOptions): Promise<void> {
  mkdirSync(opts.localRepo, { recursive: true });
  const args = [
    '-B',
    '-f',
    opts.pom,
    `-Dmaven.repo.local=${opts.localRepo}`,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${opts.outDir}`,
    '-DincludeScope=runtime',
  ];
  if (opts.remoteRepo) {
    const settings = path.join(opts.localRepo, 'kafkalab-settings.xml');
    writeFileSync(settings, mirrorSettings(opts.remoteRepo));
    args.unshift('-s', settings);
  }
  const lines: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (buf: Buffer): void => {
      for (const line of buf.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        lines.push(line);
        opts.onLine?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) =>
      reject(
        new AppError(503, 'maven_missing', 'Maven (mvn) could not be started', {
          cause: err,
          details: 'Install Maven (Debian: apt-get install maven) and a JDK.',
        }),
      ),
    );
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw mavenFailure(lines);
}

/** Turns Maven's failure output into an error naming the artifacts and the repository. */
export function mavenFailure(lines: string[]): AppError {
  const text = lines.join('\n');
  const artifacts = new Set<string>();
  for (const m of text.matchAll(
    /(?:Could not find artifact|Could not resolve|Failure to find|could not be resolved:)\s+([\w.-]+:[\w.-]+(?::[\w.-]+){1,3})/g,
  )) {
    if (m[1] !== undefined) artifacts.add(m[1]);
  }
  // "The following artifacts could not be resolved: a:b:jar:1 (absent), c:d:jar:2: ..."
  const listed = /following artifacts could not be resolved: ([^\n]*?)(?:: (?:Could|Failure|Cannot)|$)/m.exec(
    text,
  );
  for (const part of listed?.[1]?.split(',') ?? []) {
    const id = /([\w.-]+:[\w.-]+(?::[\w.-]+){1,3})/.exec(part)?.[1];
    if (id !== undefined) artifacts.add(id);
  }
  const repo = /\bin ([\w.-]+) \((https?:\/\/[^)\s]+)\)/.exec(text);
  const where = repo ? `${repo[1]} (${repo[2]})` : 'the configured Maven repository';
  const tail =
    lines
      .filter((l) => /ERROR/.test(l))
      .slice(0, 8)
      .join('\n') || lines.slice(-10).join('\n');
  if (artifacts.size > 0) {
    return new AppError(
      502,
      'maven_unresolved',
      `Maven could not resolve ${[...artifacts].join(', ')} from ${where}`,
      {
        details: tail,
      },
    );
  }
  return new AppError(502, 'maven_failed', `Maven failed resolving the Kafka jars from ${where}`, {
    details: tail,
  });
}

function mirrorSettings(url: string): string {
  return `<settings><mirrors><mirror><id>kafkalab</id><mirrorOf>*</mirrorOf><url>${url}</url></mirror></mirrors></settings>\n`;
}
