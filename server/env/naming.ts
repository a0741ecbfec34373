import { createHash, randomBytes } from 'node:crypto';
import { badRequest } from '../errors.ts';
import { NODES, type NodeName } from './EnvironmentBackend.ts';

/** Longest name, in characters (code points), after normalisation. */
export const MAX_NAME_CHARS = 64;

/**
 * Characters a name may not hold: controls (C0, C1 with U+0085), format characters (zero-width
 * spaces and joiners, bidirectional overrides, the BOM), line and paragraph separators, private
 * use, lone surrogates and unassigned code points. They are invisible or reorder text, so two
 * names that look the same could be two people; Hangul fillers render as nothing too.
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Cn}\u115f\u1160\u3164\uffa0]/u;

/**
 * The one rule for names, shared by sign-in, the store and the CLI: NFKC (so full-width and
 * compatibility forms are the same name), surrounding white space trimmed (a trailing
 * non-breaking space too, which NFKC turns into a space), inner runs of white space folded to one
 * space, 1-64 characters of any script (students have Chinese names), no invisible characters.
 */
export function normalizeName(raw: unknown): string {
  if (typeof raw !== 'string') throw badRequest('A name is required');
  if (raw.length > MAX_NAME_CHARS * 8)
    throw badRequest(`The name is longer than ${MAX_NAME_CHARS} characters`);
  const nfkc = raw.normalize('NFKC');
  // Before trimming: trim would silently drop some of them (a BOM, a newline) at the ends.
  if (FORBIDDEN.test(nfkc))
    throw badRequest('The name contains control or invisible characters (zero-width, direction marks)');
  const name = nfkc.trim().replace(/\s+/gu, ' ');
  if (name === '') throw badRequest('The name is empty');
  if ([...name].length > MAX_NAME_CHARS)
    throw badRequest(`The name is longer than ${MAX_NAME_CHARS} characters`);
  return name;
}

/** A new environment id: 128 random bits as 32 hex digits, safe in Docker names and labels. */
export function newEnvId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Whether a string has the shape of an environment id: a new one, or one made by earlier versions
 * (a slug of the owner's name and 6 hex digits), which the store adopts on start.
 */
export function isEnvId(s: string): boolean {
  return /^[0-9a-f]{32}$/.test(s) || /^[a-z0-9-]{1,21}-[0-9a-f]{6}$/.test(s);
}

/**
 * The id earlier versions derived from an owner's name. Only for adopting their environments: a
 * name-derived id is guessable and collides (2^24 tries), so nothing new is named this way.
 */
export function legacyEnvIdFor(owner: string): string {
  const slug = owner
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 20)
    .replace(/-+$/, '');
  const hash = createHash('sha256').update(owner).digest('hex').slice(0, 6);
  return `${slug || 'u'}-${hash}`;
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
