import { Command } from 'commander';
import { buildImages } from '../images/images.ts';
import { createRuntime } from '../main.ts';
import type { CliContext } from './main.ts';

/** `kafkalab images build`: builds whatever image is missing, with progress. */
export function imagesCommands(ctx: CliContext): Command {
  const images = new Command('images').description('Build and inspect the runtime images');
  images
    .command('build')
    .description('Build the base image, the Kafka distribution and the server image when missing')
    .option('--force', 'rebuild the server image even when its inputs are unchanged')
    .action(async (opts: { force?: boolean }) => {
      const config = ctx.config();
      const started = Date.now();
      const runtime = await createRuntime(config, ctx.progress);
      const report = await buildImages({
        docker: runtime.docker,
        config,
        progress: ctx.progress,
        force: opts.force === true,
      });
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      ctx.out.write(
        `${report.reused ? 'up to date' : 'built'}: ${report.image} (= ${report.latest}), ` +
          `${Math.round(report.sizeBytes / 2 ** 20)} MiB, base ${report.base.ref}, in ${secs} s\n`,
      );
    });
  return images;
}
