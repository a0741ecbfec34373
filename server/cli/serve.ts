import { Command } from 'commander';
import { serve } from '../main.ts';
import type { CliContext } from './main.ts';

/** `kafkalab serve` (= `npm start`): engine, images, web server; prints the URL. */
export function serveCommand(ctx: CliContext): Command {
  return new Command('serve').description('Start the Kafka Lab web server (npm start)').action(async () => {
    const config = ctx.config();
    const { app, url, setupLink } = await serve(config, ctx.progress);
    ctx.out.write(`Kafka Lab is running at ${url}\n`);
    if (config.auth === 'open')
      ctx.out.write(
        'Sign-in mode: open (anyone who types a name is that student; KAFKALAB_AUTH=accounts for passwords)\n',
      );
    if (setupLink !== undefined)
      ctx.out.write(
        `\nNo admin account yet. Open this one-time link to create one (valid for an hour, once):\n  ${setupLink.link}\n` +
          'or, from a shell: kafkalab users add <name> --role admin --password-stdin\n',
      );
    const stop = (): void => {
      void app.dispose().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
