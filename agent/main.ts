/**
 * The in-environment agent: a small node program shipped in the server image
 * (/opt/kafkalab/agent/agent.cjs, command `kafkalab-agent`). The platform runs it with
 * `docker exec`, so it sees the cluster exactly as the student's servers do, and reads its
 * answer as one JSON document on stdout (see agent/types.ts and the command files).
 */
import { runAgent } from './cli.ts';
import { commandHandlers } from './commands/index.ts';

const io = {
  stdout: (text: string): void => void process.stdout.write(text),
  stderr: (text: string): void => void process.stderr.write(text),
};

// Count node's own startup against --timeout: the caller's clock started before ours.
const elapsedMs = Math.round(process.uptime() * 1000);

runAgent(process.argv.slice(2), io, commandHandlers, { elapsedMs }).then(
  (code) => exit(code),
  (err: unknown) => {
    // Only a bug gets here; still answer in the documented shape.
    process.stdout.write(`${JSON.stringify({ error: { code: 'internal', message: String(err) } })}\n`);
    exit(1);
  },
);

/**
 * Exits once stdout has drained. Exiting explicitly matters: kafkajs and half-open sockets to
 * stopped brokers would otherwise keep the process (and the server's docker exec) waiting.
 */
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}
