import { GradingService } from './checks/GradingService.ts';
import type { Admission } from './env/Admission.ts';
import { EnvManager, type PoolClaims } from './env/EnvManager.ts';
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
  options: {
    terminal?: TerminalHubOptions;
    admission?: Admission;
    claims?: PoolClaims;
    /** Also told when Kafka Lab stopped or removed an environment (the reaper's `forget`). */
    onRemoved?: (envId: string) => void;
  } = {},
): EnvServices {
  const terminals = new TerminalHub(log, options.terminal);
  const envs = new EnvManager(backend, access, log, {
    onRemoved: (envId) => {
      void terminals.closeEnv(envId);
      options.onRemoved?.(envId);
    },
    ...(options.admission ? { admission: options.admission } : {}),
    ...(options.claims ? { claims: options.claims } : {}),
    notices: store,
  });
  return { envs, terminals, grading: new GradingService(store, envs) };
}
