import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { realHost } from '../docker/engine.ts';
import { engineInfo } from '../docker/engine.ts';
import { messageOf } from '../errors.ts';
import { bundleAgent } from '../images/agentBundle.ts';
import { fallbackBase, imageId } from '../images/base.ts';
import { freeBytes, gib } from '../images/files.ts';
import { BUILD_SPACE_BYTES, imagesStatus, INPUTS_LABEL, nodeImageHash } from '../images/images.ts';
import { connectDocker } from '../main.ts';
import { projectPaths } from '../paths.ts';
import type { CliContext } from './main.ts';

/** `kafkalab doctor`: what this machine has, what is missing, and what would fix it. Changes nothing. */
export function doctorCommand(ctx: CliContext): Command {
  return new Command('doctor')
    .description('Check the engine, tools, images and disk space')
    .action(async () => {
      const config = ctx.config();
      const lines: string[] = [];
      const missing: string[] = [];
      const ok = (what: string, text: string): number => lines.push(`  ok       ${what.padEnd(14)} ${text}`);
      const bad = (what: string, text: string, fix: string): void => {
        lines.push(`  MISSING  ${what.padEnd(14)} ${text}`);
        missing.push(`${what}: ${fix}`);
      };

      const docker = connectDocker();
      let rootDir: string | undefined;
      try {
        const info = await engineInfo(docker);
        rootDir = info.rootDir;
        ok(
          'engine',
          `Docker ${info.version} (API ${info.apiVersion}, ${info.storageDriver}), ${info.containers} containers`,
        );
      } catch (err) {
        const auto = realHost.isRoot() && realHost.which('apt-get');
        bad(
          'engine',
          messageOf(err),
          auto
            ? '`npm start` or `npm run images` installs/starts it (root + apt)'
            : 'install Docker and start it, or set DOCKER_HOST',
        );
      }

      for (const [tool, why] of [
        ['mvn', 'resolves the Kafka jars (cold image build)'],
        ['java', 'runs Maven'],
        ['tar', 'packs the Kafka distribution'],
        ['mmdebstrap', 'builds the base rootfs when no base image can be pulled'],
      ] as const) {
        if (realHost.which(tool)) ok(tool, why);
        else
          bad(
            tool,
            `not installed; ${why}`,
            `apt-get install ${tool === 'mvn' ? 'maven' : tool === 'java' ? 'default-jdk-headless' : tool}`,
          );
      }

      if (rootDir !== undefined) {
        const fallback = fallbackBase(config.imageRepo);
        const base = (await imageId(docker, config.baseImage))
          ? config.baseImage
          : (await imageId(docker, fallback))
            ? fallback
            : undefined;
        if (base) ok('base image', base);
        else bad('base image', `${config.baseImage} / ${fallback} not present`, '`npm run images`');
        const status = await imagesStatus(docker, config);
        if (!status.present) bad('server image', `${status.image} not present`, '`npm run images`');
        else {
          const baseId = base ? await imageId(docker, base) : undefined;
          const current = baseId
            ? nodeImageHash(baseId, await bundleAgent(projectPaths.agentEntry))
            : undefined;
          const size = `${Math.round((status.sizeBytes ?? 0) / 2 ** 20)} MiB`;
          if (current !== undefined && status.inputs !== current) {
            bad(
              'server image',
              `${status.image} (${size}) was built from other inputs (${INPUTS_LABEL}=${status.inputs})`,
              '`npm run images`',
            );
          } else ok('server image', `${status.image} (${size}), inputs ${status.inputs}`);
        }
      }

      for (const [what, dir] of [
        ['disk (data)', config.dataDir],
        ['disk (docker)', rootDir],
      ] as const) {
        if (dir === undefined) continue;
        const probe = existsSync(dir) ? dir : '.';
        const free = freeBytes(probe);
        if (free >= BUILD_SPACE_BYTES) ok(what, `${gib(free)} free in ${dir}`);
        else bad(what, `${gib(free)} free in ${dir}`, 'a cold image build needs about 3 GiB');
      }

      ctx.out.write(`Kafka Lab doctor\n${lines.join('\n')}\n`);
      if (missing.length > 0) {
        ctx.out.write(`\nWhat is missing:\n${missing.map((m) => `  - ${m}`).join('\n')}\n`);
        process.exitCode = 1;
      } else ctx.out.write('\nAll good.\n');
    });
}
