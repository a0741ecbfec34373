import { GradingService } from './checks/GradingService.ts';
import type { Admission } from './env/Admission.ts';
import { EnvManager } from './env/EnvManager.ts';
import type { EnvironmentBackend, NodeAccess } from './env/EnvironmentBackend.ts';
import type { Logger } from './log.ts';
import type { ProgressStore, StudentStore } from './store/Store.ts';
import { TerminalHub, type TerminalHubOptions } from './terminal/TerminalHub.ts';

/** What the HTTP app needs on top of an environment backend and the store. */
export interface EnvServices {
  readonly envs: EnvManager;
  readonly terminals: TerminalHub;
  readonly grading: GradingService;
}

/**
 * The runtime services over an environment backend, wired the one way the server, the dev
 * server and the API tests all use: removing an environment hangs up its shells first. Without
 * `admission`, every start boots at once (the dev server and most tests).
 */
export function createEnvServices(
  backend: EnvironmentBackend,
  access: NodeAccess,
  store: ProgressStore & Pick<StudentStore, 'envNotice' | 'setEnvNotice'>,
  log: Logger,
  options: { terminal?: TerminalHubOptions; admission?: Admission } = {},
): EnvServices {
  const terminals = new TerminalHub(log, options.terminal);
  const envs = new EnvManager(backend, access, log, {
    onRemoved: (envId) => void terminals.closeEnv(envId),
    ...(options.admission ? { admission: options.admission } : {}),
    notices: store,
  });
  return { envs, terminals, grading: new GradingService(store, envs) };
}
