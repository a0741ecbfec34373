/** The command table: one handler per command name. */
import type { CommandHandlers } from '../command.ts';
import { brokerConfigCommand } from './brokerConfig.ts';
import { diagnoseCommand } from './diagnose.ts';
import { groupCommand, groupsCommand } from './groups.ts';
import { messagesCommand } from './messages.ts';
import { readyCommand } from './ready.ts';
import { snapshotCommand } from './snapshot.ts';
import { topicCommand } from './topic.ts';
import { versionCommand } from './version.ts';
import { zkCommand } from './zk.ts';

/** Handlers used by the real agent. */
export const commandHandlers: CommandHandlers = {
  snapshot: snapshotCommand,
  ready: readyCommand,
  zk: zkCommand,
  topic: topicCommand,
  messages: messagesCommand,
  groups: groupsCommand,
  group: groupCommand,
  'broker-config': brokerConfigCommand,
  diagnose: diagnoseCommand,
  version: versionCommand,
  // `help` never reaches a handler: the runner prints the usage itself.
  help: () => Promise.resolve({ doc: null }),
};
