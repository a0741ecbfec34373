import { createHash } from 'node:crypto';
import { badRequest } from '../errors.ts';
import { NODES, type NodeName } from './EnvironmentBackend.ts';

/** Validates an owner name: 1-64 printable characters, any script (students have Chinese names). */
export function checkOwner(owner: unknown): string {
  if (typeof owner !== 'string' || owner.trim() === '') throw badRequest('Owner name is empty');
  const name = owner.trim();
  if ([...name].length > 64) throw badRequest('Owner name is longer than 64 characters');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw badRequest('Owner name contains control characters');
  return name;
}

/**
 * The environment id of an owner: a readable slug plus a short hash, stable across restarts so
 * names are deterministic (`kafkalab-alice-2bd806-bigdata01`) and safe for Docker names.
 */
export function envIdFor(owner: string): string {
  const slug = owner
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 20)
    .replace(/-+$/, '');
  const hash = createHash('sha256').update(owner).digest('hex').slice(0, 6);
  return `${slug || 'u'}-${hash}`;
}

/** Whether a string has the shape of an environment id. */
export function isEnvId(s: string): boolean {
  return /^[a-z0-9-]{1,21}-[0-9a-f]{6}$/.test(s);
}

/** Validates a server name. */
export function checkNode(node: unknown): NodeName {
  if (typeof node === 'string' && (NODES as readonly string[]).includes(node)) return node as NodeName;
  throw badRequest(`Unknown server ${JSON.stringify(node)}: expected one of ${NODES.join(', ')}`);
}

/** Docker names of an environment's objects. */
export function names(
  prefix: string,
  envId: string,
): { network: string; container: (node: NodeName) => string } {
  return {
    network: `${prefix}-${envId}`,
    container: (node) => `${prefix}-${envId}-${node}`,
  };
}
