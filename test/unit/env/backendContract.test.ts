import { InstantBackend } from '../../../server/env/InMemoryEnvironments.ts';
import { environmentBackendContract } from '../../contract/environmentBackend.ts';

environmentBackendContract('in-memory', () => {
  const backend = new InstantBackend();
  return { backend, restarted: () => new InstantBackend(0, backend.envs), mode: 'ready' };
});
