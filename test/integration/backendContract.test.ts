import { afterAll, beforeAll } from 'vitest';
import { environmentBackendContract } from '../contract/environmentBackend.ts';
import { cleanupPrefix, testEnvironments } from './support/docker.ts';

const PREFIX = 'kltest-contract';
const { docker, backend } = testEnvironments(PREFIX);

beforeAll(() => cleanupPrefix(docker, PREFIX));
afterAll(() => cleanupPrefix(docker, PREFIX));

// install mode: the ZooKeeper ensemble only, the cheapest real environment to boot, stop and start.
environmentBackendContract(
  'Docker',
  () => ({ backend, restarted: () => testEnvironments(PREFIX).backend, mode: 'install' }),
  240_000,
);
