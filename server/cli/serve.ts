import { Command } from 'commander';
import { serve } from '../main.ts';
import type { CliContext } from './main.ts';

/** `kafkalab serve` (= `npm start`): engine, images, web server; prints the URL. */
export function serveCommand(ctx: CliContext): Command {
  return new Command('serve').description('Start the Kafka Lab web server (npm start)').action(async () => {
    const { app, url } = await serve(ctx.config(), ctx.progress);
    ctx.out.write(`Kafka Lab is running at ${url}\n`);
    const stop = (): void => {
      void app.dispose().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
