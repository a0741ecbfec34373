/** `version`: which agent, node and kafkajs are in the image. */
import kafkajsPackage from 'kafkajs/package.json' with { type: 'json' };
import type { CommandOutcome } from '../command.ts';

/** The agent's protocol version; bump it when a document's shape changes incompatibly. */
export const AGENT_VERSION = 1;

/** Runs `version`. */
export function versionCommand(): Promise<CommandOutcome> {
  return Promise.resolve({
    doc: { agent: AGENT_VERSION, node: process.version, kafkajs: kafkajsPackage.version },
  });
}
